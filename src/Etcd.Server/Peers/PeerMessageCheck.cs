using Etcd.Raft.Raftpb;
using Etcd.Server.Membership;

namespace Etcd.Server.Peers;

/// <summary>
/// What a Raft message from a peer must be before this member's Raft sees it: sent by the member
/// the stream was admitted for, to this member, by a current member of the cluster, of a type
/// members send each other; and a forwarded proposal may carry only what a follower forwards.
/// </summary>
/// <remarks>
/// Cleartext peers are not authenticated: these checks stop misrouted and stale traffic and a
/// stranger who does not pretend to be a member, not one who does (see the README, "Peer trust").
/// </remarks>
public sealed class PeerMessageCheck(ulong localId, ClusterMembers members)
{
    // InternalRaftRequest.authenticate = 1012, length-delimited.
    private const ulong AuthenticateTag = (1012 << 3) | 2;

    // Members of the running cluster a joining member was told of (its log names them only later).
    private readonly HashSet<ulong> _running = [];

    /// <summary>
    /// Called at start, before the peer port opens, with the running cluster's members when this
    /// member joins it: its own member list is empty until it applies the leader's snapshot or log.
    /// </summary>
    public void JoiningCluster(IEnumerable<ulong> running) => _running.UnionWith(running);

    /// <summary>Why <paramref name="message"/>, received from <paramref name="sender"/>, is dropped; null when it may be stepped.</summary>
    public string? Refusal(Message message, ulong sender)
    {
        if (message.From != sender) return "message from another member than the stream's";
        if (message.To != localId) return "message for another member";
        if (sender == localId || (members.Find(sender) is null && !_running.Contains(sender)) || members.IsRemoved(sender)) return "sender is not a member";
        if (!SentByPeers(message.Type)) return "message type is local to a member";
        if (message.Type == MessageType.MsgProp)
        {
            foreach (var entry in message.Entries)
            {
                if (ForwardedRefusal(entry) is { } refused) return refused;
            }
        }
        return null;
    }

    // Hup, Beat, Unreachable, SnapStatus and CheckQuorum are a member's own inputs, never sent.
    private static bool SentByPeers(MessageType type) => type is not (MessageType.MsgHup or MessageType.MsgBeat
        or MessageType.MsgUnreachable or MessageType.MsgSnapStatus or MessageType.MsgCheckQuorum);

    /// <summary>
    /// A follower forwards its clients' requests, but never an Authenticate: that entry installs a
    /// token named by its proposer, so a forged one would mint a token its forger knows.
    /// Followers hand Authenticate to the leader through the peer Authenticate call instead, where
    /// the leader checks the password itself.
    /// </summary>
    private static string? ForwardedRefusal(Entry entry)
    {
        if (entry.Type != EntryType.EntryNormal || entry.Data.IsEmpty) return null;
        return CarriesAuthenticate(entry.Data.Span) switch
        {
            null => "malformed forwarded proposal",
            true => "forwarded proposal carries an Authenticate request",
            false => null,
        };
    }

    /// <summary>Whether an encoded InternalRaftRequest has an authenticate field; null when it cannot be read.</summary>
    internal static bool? CarriesAuthenticate(ReadOnlySpan<byte> data)
    {
        var position = 0;
        while (position < data.Length)
        {
            if (!TryVarint(data, ref position, out var tag)) return null;
            if (tag == AuthenticateTag) return true;
            if (!TrySkip(data, ref position, (uint)tag & 7)) return null;
        }
        return false;
    }

    private static bool TrySkip(ReadOnlySpan<byte> data, ref int position, uint wireType)
    {
        switch (wireType)
        {
            case 0:
                return TryVarint(data, ref position, out _);
            case 1:
                position += 8;
                return position <= data.Length;
            case 2:
                if (!TryVarint(data, ref position, out var length) || length > (ulong)(data.Length - position)) return false;
                position += (int)length;
                return true;
            case 5:
                position += 4;
                return position <= data.Length;
            default:
                return false;
        }
    }

    private static bool TryVarint(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && position < data.Length; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }
}
