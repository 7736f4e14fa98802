package io.gev;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Who is at the other end of a Unix domain socket, as the kernel tells it (SO_PEERCRED): the
 * process that connected, taken when it connected. Which parts are known depends on the
 * transport: native epoll gives the pid, uid and gid; the JDK's NIO gives the user and group
 * names. Immutable.
 *
 * @see Connection#peerCredentials()
 */
public final class PeerCredentials {

    private final long pid;
    private final int uid;
    private final int gid;
    private final String user;
    private final String group;

    private PeerCredentials(long pid, int uid, int gid, String user, String group) {
        this.pid = pid;
        this.uid = uid;
        this.gid = gid;
        this.user = user;
        this.group = group;
    }

    /** The credentials in numbers, as native epoll reads them. */
    public static PeerCredentials ofIds(long pid, int uid, int gid) {
        return new PeerCredentials(pid, uid, gid, null, null);
    }

    /** The credentials in names, as the JDK reads them. */
    public static PeerCredentials ofNames(String user, String group) {
        return new PeerCredentials(-1, -1, -1, Objects.requireNonNull(user, "user"), Objects.requireNonNull(group, "group"));
    }

    /** The peer process's id, where the transport tells it. */
    public OptionalLong pid() {
        return pid < 0 ? OptionalLong.empty() : OptionalLong.of(pid);
    }

    /** The peer process's effective user id, where the transport tells it. */
    public OptionalInt uid() {
        return uid < 0 ? OptionalInt.empty() : OptionalInt.of(uid);
    }

    /** The peer process's effective group id, where the transport tells it. */
    public OptionalInt gid() {
        return gid < 0 ? OptionalInt.empty() : OptionalInt.of(gid);
    }

    /** The peer process's user name, where the transport tells it. */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** The peer process's group name, where the transport tells it. */
    public Optional<String> group() {
        return Optional.ofNullable(group);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PeerCredentials)) {
            return false;
        }
        PeerCredentials other = (PeerCredentials) o;
        return pid == other.pid && uid == other.uid && gid == other.gid && Objects.equals(user, other.user)
                && Objects.equals(group, other.group);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pid, uid, gid, user, group);
    }

    @Override
    public String toString() {
        return user != null ? "PeerCredentials[user=" + user + ", group=" + group + "]"
                : "PeerCredentials[pid=" + pid + ", uid=" + uid + ", gid=" + gid + "]";
    }
}
