package io.gev.websocket;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** An echo {@link WebSocketHandler} that records sessions and closes for tests. */
class Recorder implements WebSocketHandler {

    final BlockingQueue<WebSocketSession> opened = new LinkedBlockingQueue<>();
    final BlockingQueue<Closed> closed = new LinkedBlockingQueue<>();

    @Override
    public Object onMessage(WebSocketSession session, WebSocketMessage message) {
        return message;
    }

    @Override
    public void onOpen(WebSocketSession session) {
        opened.add(session);
    }

    @Override
    public void onClose(WebSocketSession session, int code, String reason) {
        closed.add(new Closed(session, code, reason));
    }

    WebSocketSession nextOpened() throws InterruptedException {
        WebSocketSession s = opened.poll(10, TimeUnit.SECONDS);
        assertNotNull(s, "no session opened");
        return s;
    }

    Closed nextClosed() throws InterruptedException {
        Closed c = closed.poll(10, TimeUnit.SECONDS);
        assertNotNull(c, "no session closed");
        return c;
    }

    /** Waits for the next close and checks its code and reason. */
    Closed expectClosed(int code, String reason) throws InterruptedException {
        Closed c = nextClosed();
        assertEquals(code, c.code, "close code");
        assertEquals(reason, c.reason, "close reason");
        return c;
    }

    static final class Closed {
        final WebSocketSession session;
        final int code;
        final String reason;

        Closed(WebSocketSession session, int code, String reason) {
            this.session = session;
            this.code = code;
            this.reason = reason;
        }

        @Override
        public String toString() {
            return code + " " + reason;
        }
    }
}
