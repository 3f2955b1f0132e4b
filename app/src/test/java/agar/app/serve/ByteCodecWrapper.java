package agar.app.serve;

import java.util.List;

import agar.engine.tokenizer.ChatMessage;

/** The byte codec with every method forwarded, so a test codec overrides only the one it instruments. */
abstract class ByteCodecWrapper implements TextCodec {
    final ByteCodec bytes = new ByteCodec();

    @Override
    public int[] encode(String text) {
        return bytes.encode(text);
    }

    @Override
    public String decode(int[] ids) {
        return bytes.decode(ids);
    }

    @Override
    public byte[] tokenBytes(int id) {
        return bytes.tokenBytes(id);
    }

    @Override
    public List<Integer> eosIds() {
        return bytes.eosIds();
    }

    @Override
    public String chatPrompt(List<ChatMessage> messages) {
        return bytes.chatPrompt(messages);
    }
}
