using Etcd.Api.Etcdserverpb;
using Etcd.Server.V2.Apply;
using Etcd.Server.V2.Store;

namespace Etcd.Server.Tests.V2;

/// <summary>A v2 store driven the way the apply loop drives it: by committed etcdserverpb.Requests.</summary>
internal sealed class V2StoreFixture
{
    public V2StoreFixture(V2Clock? clock = null)
    {
        Clock = clock ?? new V2Clock();
        Store = new V2Store(Clock, "/0", "/1");
        Applier = new V2RequestApplier(Store);
    }

    public V2Clock Clock { get; }
    public V2Store Store { get; }
    public V2RequestApplier Applier { get; }

    public V2Event Apply(Request request)
    {
        var outcome = Applier.Apply(request);
        Assert.Null(outcome.Error);
        return outcome.Event!;
    }

    public V2Error Fails(Request request)
    {
        var outcome = Applier.Apply(request);
        Assert.Null(outcome.Event);
        return Assert.IsType<V2Error>(outcome.Error);
    }

    public V2Event Set(string key, string value, long ttlSeconds = 0) =>
        Apply(new Request { Method = "PUT", Path = "/1" + key, Val = value, Expiration = ttlSeconds == 0 ? 0 : Clock.NowNanos + ttlSeconds * 1_000_000_000 });

    /// <summary>The event as the keys API answers it (the "/1" namespace trimmed), without the trailing newline.</summary>
    public static string Json(V2Event e)
    {
        var text = new System.Text.StringBuilder();
        V2Json.AppendEvent(text, e, "/1");
        return text.ToString().TrimEnd('\n');
    }
}
