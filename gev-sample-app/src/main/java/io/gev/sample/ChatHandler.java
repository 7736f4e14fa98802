package io.gev.sample;

import io.gev.websocket.CloseStatus;
import io.gev.websocket.HandshakeRequest;
import io.gev.websocket.WebSocketGroup;
import io.gev.websocket.WebSocketHandler;
import io.gev.websocket.WebSocketMessage;
import io.gev.websocket.WebSocketSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ExecutorService;

/**
 * The WebSocket chat, routed to {@code /chat?name=alice}: a room that broadcasts messages, joins,
 * leaves and nickname changes ({@code /nick bob}, sent over the open connection) to everyone in
 * it, plus a heartbeat.
 *
 * <p>Callbacks run on gev's loop threads and must not block, so broadcasting, which touches every
 * member, is handed to an executor; sessions accept sends from any thread.
 *
 * <p>The room is the named group "chat" when {@code gev.cluster.enabled=true} (profile
 * {@code cluster}): then every instance's members hear every line, through Redis. The heartbeat
 * stays on each instance's own members, with their number.
 */
class ChatHandler implements WebSocketHandler {

    static final String NAME = "name";
    static final int MAX_NAME_LENGTH = 32;
    /** A message starting with this renames its sender: {@code /nick bob}. */
    static final String NICK = "/nick ";

    private static final Logger log = LoggerFactory.getLogger(ChatHandler.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** Everyone in the chat, on every instance for a named group. */
    private final WebSocketGroup room;
    /** This instance's members only, for the heartbeat. */
    private final WebSocketGroup here = new WebSocketGroup();
    private final ExecutorService broadcaster;
    private final JsonMapper json;

    /**
     * @param room a local group, or a named one to chat across instances
     * @param json Boot's mapper, which writes the chat's events
     */
    ChatHandler(WebSocketGroup room, ExecutorService broadcaster, JsonMapper json) {
        this.room = room;
        this.broadcaster = broadcaster;
        this.json = json;
    }

    @Override
    public void onHandshake(HandshakeRequest request) {
        String name = request.queryParameter(NAME);
        if (name == null || name.isBlank()) {
            name = "guest-" + request.remoteAddress().getPort();
        }
        if (name.length() > MAX_NAME_LENGTH) {
            request.reject(400, "name longer than " + MAX_NAME_LENGTH + " characters");
            return;
        }
        request.setAttribute(NAME, name.strip());
    }

    @Override
    public void onOpen(WebSocketSession session) {
        String name = session.request().attribute(NAME);
        session.setAttribute(NAME, name);
        this.room.add(session);
        this.here.add(session);
        broadcast(notice(name + " joined"));
    }

    @Override
    public Object onMessage(WebSocketSession session, WebSocketMessage message) {
        if (!message.isText()) {
            session.close(CloseStatus.UNSUPPORTED_DATA, "the chat takes text");
            return null;
        }
        String from = session.attribute(NAME);
        String text = message.text();
        if (text.startsWith(NICK)) {
            return rename(session, from, text.substring(NICK.length()).strip());
        }
        broadcast(this.json.writeValueAsString(new Said(from, text)));
        return null;
    }

    /** Renames the sender and tells the room; a bad name is answered to the sender alone. */
    private Object rename(WebSocketSession session, String from, String name) {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            return notice("a nickname has 1 to " + MAX_NAME_LENGTH + " characters");
        }
        if (!name.equals(from)) {
            session.setAttribute(NAME, name);
            broadcast(notice(from + " is now " + name));
        }
        return null;
    }

    @Override
    public void onClose(WebSocketSession session, int code, String reason) {
        // The group drops a closed session by itself; the name says it had joined.
        String name = session.attribute(NAME);
        if (name != null) {
            this.room.remove(session);
            this.here.remove(session);
            broadcast(notice(name + " left"));
        }
    }

    /** Pushes the time and the number of members to the room; called by a timer. */
    void heartbeat() {
        String time = LocalTime.now().truncatedTo(ChronoUnit.SECONDS).format(TIME);
        broadcast(this.here, this.json.writeValueAsString(new Heartbeat(time, this.here.size())));
    }

    /** Members on this instance. */
    int members() {
        return this.here.size();
    }

    private void broadcast(String json) {
        broadcast(this.room, json);
    }

    private void broadcast(WebSocketGroup group, String json) {
        try {
            this.broadcaster.execute(() -> group.broadcastText(json));
        } catch (java.util.concurrent.RejectedExecutionException ex) {
            log.debug("Not broadcasting while shutting down: {}", json);
        }
    }

    private String notice(String text) {
        return this.json.writeValueAsString(new Notice(text));
    }

    // What the page reads: one JSON object an event, told apart by "type".

    record Said(String type, String from, String text) {
        Said(String from, String text) {
            this("message", from, text);
        }
    }

    record Notice(String type, String text) {
        Notice(String text) {
            this("notice", text);
        }
    }

    record Heartbeat(String type, String time, int members) {
        Heartbeat(String time, int members) {
            this("heartbeat", time, members);
        }
    }
}
