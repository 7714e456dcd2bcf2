using System.Buffers;
using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Server.Watch;

/// <summary>
/// Encodes the Watch service's responses. A commit reaches every watcher of a key as one response
/// each, alike but for the watch id, and they share their header and event objects (see
/// WatchHub.Deliver): that shared part is encoded once and copied for the others, with the watch
/// id appended (protobuf fields may come in any order). Other responses are encoded as usual.
/// </summary>
public static class WatchResponseMarshaller
{
    public static readonly Marshaller<WatchResponse> Instance =
        Marshallers.Create<WatchResponse>(Serialize, context => WatchResponse.Parser.ParseFrom(context.PayloadAsReadOnlySequence()));

    private const byte WatchIdTag = (2 << 3) | 0; // field 2, varint

    // The last few shared parts: the senders of several streams encode the same revision at
    // about the same time. Slots are swapped whole, so readers need no lock.
    private static readonly Encoded?[] Recent = new Encoded?[4];
    private static int _nextSlot;

    private static void Serialize(WatchResponse response, SerializationContext context)
    {
        if (!OnlyHeaderIdAndEvents(response))
        {
            context.SetPayloadLength(response.CalculateSize());
            response.WriteTo(context.GetBufferWriter());
            context.Complete();
            return;
        }
        var shared = SharedPart(response);
        var id = (ulong)response.WatchId;
        var idSize = id == 0 ? 0 : 1 + VarintSize(id);
        context.SetPayloadLength(shared.Length + idSize);
        var writer = context.GetBufferWriter();
        writer.Write(shared);
        if (idSize > 0)
        {
            var span = writer.GetSpan(idSize);
            span[0] = WatchIdTag;
            var at = 1;
            while (id >= 0x80)
            {
                span[at++] = (byte)(id | 0x80);
                id >>= 7;
            }
            span[at] = (byte)id;
            writer.Advance(idSize);
        }
        context.Complete();
    }

    private static bool OnlyHeaderIdAndEvents(WatchResponse response) =>
        response.Events.Count > 0 && response.Header is not null && !response.Created && !response.Canceled
        && response.CompactRevision == 0 && response.CancelReason.Length == 0 && !response.Fragment;

    private static byte[] SharedPart(WatchResponse response)
    {
        foreach (var recent in Recent)
        {
            if (recent is not null && recent.Matches(response)) return recent.Bytes;
        }
        var part = new WatchResponse { Header = response.Header };
        part.Events.Add(response.Events);
        var encoded = new Encoded(response.Header, [.. response.Events], part.ToByteArray());
        Recent[(int)((uint)Interlocked.Increment(ref _nextSlot) % (uint)Recent.Length)] = encoded;
        return encoded.Bytes;
    }

    private static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    /// <summary>A header and events, by identity, and their encoding.</summary>
    private sealed class Encoded(ResponseHeader header, Event[] events, byte[] bytes)
    {
        public byte[] Bytes => bytes;

        public bool Matches(WatchResponse response)
        {
            if (!ReferenceEquals(header, response.Header) || events.Length != response.Events.Count) return false;
            for (var i = 0; i < events.Length; i++)
            {
                if (!ReferenceEquals(events[i], response.Events[i])) return false;
            }
            return true;
        }
    }
}
