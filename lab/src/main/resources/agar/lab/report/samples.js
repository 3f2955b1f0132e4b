// Sample browser: filters the rows and shows the clicked sample in the pane. Text from logs is already escaped
// in the HTML; this script only toggles `hidden` and moves existing nodes, it never builds markup from strings.
(function () {
  var root = document.getElementById('sample-browser');
  if (!root) return;
  var rows = Array.prototype.slice.call(root.querySelectorAll('.srow'));
  var pane = root.querySelector('.pane');
  var empty = pane.querySelector('.empty');
  var count = root.querySelector('.count');
  var ctl = {
    set: root.querySelector('[name=set]'), q: root.querySelector('[name=q]'), mis: root.querySelector('[name=mis]'),
    who: root.querySelector('[name=who]'), text: root.querySelector('[name=text]')
  };
  var shown = null, picked = false;
  function textOf(row) {
    if (row._text === undefined) {
      var d = document.getElementById(row.getAttribute('data-target'));
      row._text = ((d ? d.textContent : '') + ' ' + row.textContent).toLowerCase();
    }
    return row._text;
  }
  function apply() {
    var set = ctl.set ? ctl.set.value : '', q = ctl.q.value, mis = ctl.mis.checked;
    var who = ctl.who ? ctl.who.value : '', text = ctl.text.value.trim().toLowerCase();
    var n = 0;
    rows.forEach(function (r) {
      var ok = (!set || r.getAttribute('data-set') === set) && (!q || r.getAttribute('data-q') === q)
        && (!mis || r.getAttribute('data-mis') === '1') && (!who || r.getAttribute('data-who') === who)
        && (!text || textOf(r).indexOf(text) >= 0);
      r.hidden = !ok;
      if (ok) n++;
    });
    count.textContent = n + ' of ' + rows.length + ' samples';
    // Never an empty pane while something matches: show the first match until the reader picks one.
    if (!picked) { var first = rows.filter(function (r) { return !r.hidden; })[0]; if (first) show(first); }
  }
  function show(row) {
    var d = document.getElementById(row.getAttribute('data-target'));
    if (!d) return;
    if (shown) { shown.hidden = true; }
    rows.forEach(function (r) { r.classList.toggle('active', r === row); r.setAttribute('aria-selected', r === row ? 'true' : 'false'); });
    empty.hidden = true;
    d.hidden = false;
    shown = d;
    pane.scrollTop = 0;
  }
  rows.forEach(function (r) { r.addEventListener('click', function () { picked = true; show(r); }); });
  [ctl.set, ctl.q, ctl.who].forEach(function (c) { if (c) c.addEventListener('change', apply); });
  ctl.mis.addEventListener('change', apply);
  ctl.text.addEventListener('input', apply);
  apply();
})();
