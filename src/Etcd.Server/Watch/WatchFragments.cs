using Etcd.Api.Etcdserverpb;
using Google.Protobuf;

namespace Etcd.Server.Watch;

/// <summary>
/// Splits a large watch response into fragments for a watcher that allows them: each holds as
/// many events as fit under the size limit (at least one), and all but the last are marked as
/// fragments, as etcd does.
/// </summary>
public static class WatchFragments
{
    // Tag of the repeated events field (11, length-delimited): one byte.
    private const int EventTagBytes = 1;

    public static List<WatchResponse> Split(WatchResponse whole, int limitBytes)
    {
        var fragments = new List<WatchResponse>();
        var shellBytes = Shell(whole).CalculateSize();
        var next = 0;
        while (next < whole.Events.Count)
        {
            var fragment = Shell(whole);
            var size = shellBytes;
            while (next < whole.Events.Count)
            {
                var eventBytes = EventTagBytes + CodedOutputStream.ComputeMessageSize(whole.Events[next]);
                if (fragment.Events.Count > 0 && size + eventBytes >= limitBytes) break;
                fragment.Events.Add(whole.Events[next++]);
                size += eventBytes;
            }
            fragment.Fragment = next < whole.Events.Count;
            fragments.Add(fragment);
        }
        return fragments;
    }

    private static WatchResponse Shell(WatchResponse whole) => new()
    {
        Header = whole.Header,
        WatchId = whole.WatchId,
        CompactRevision = whole.CompactRevision,
        Fragment = true,
    };
}
