using Etcd.Api.Etcdserverpb;
using Etcd.Server.V2.Store;

namespace Etcd.Server.V2.Apply;

/// <summary>
/// Applies a committed v2 request (etcdserverpb.Request) to the v2 store, choosing the store
/// operation as etcd does from the method and the preconditions given: POST makes an in-order
/// key; PUT is create, update, compare-and-swap or set; DELETE is delete or compare-and-delete;
/// QGET is a read through the log; SYNC expires keys by the leader's clock.
/// </summary>
public sealed class V2RequestApplier(V2Store store)
{
    public V2Outcome Apply(Request request)
    {
        try
        {
            return new V2Outcome(Dispatch(request), null);
        }
        catch (V2Error e)
        {
            return new V2Outcome(null, e);
        }
    }

    private V2Event? Dispatch(Request r)
    {
        switch (r.Method)
        {
            case "POST":
                return store.Create(r.Path, r.Dir, r.Val, unique: true, r.Expiration);
            case "PUT":
                return Put(r);
            case "DELETE":
                return r.PrevIndex > 0 || r.PrevValue.Length > 0
                    ? store.CompareAndDelete(r.Path, r.PrevValue, r.PrevIndex)
                    : store.Delete(r.Path, r.Dir, r.Recursive);
            case "QGET":
                return store.Get(r.Path, r.Recursive, r.Sorted);
            case "SYNC":
                store.DeleteExpiredKeys(r.Time);
                return null;
            default:
                throw V2Error.Request(V2Error.RaftInternal, "etcdserver: unknown method");
        }
    }

    private V2Event Put(Request r)
    {
        var refresh = r.HasRefresh && r.Refresh;
        if (r.HasPrevExist)
        {
            if (!r.PrevExist) return store.Create(r.Path, r.Dir, r.Val, unique: false, r.Expiration);
            return r.PrevIndex == 0 && r.PrevValue.Length == 0
                ? store.Update(r.Path, r.Val, r.Expiration, refresh)
                : store.CompareAndSwap(r.Path, r.PrevValue, r.PrevIndex, r.Val, r.Expiration, refresh);
        }
        if (r.PrevIndex > 0 || r.PrevValue.Length > 0) return store.CompareAndSwap(r.Path, r.PrevValue, r.PrevIndex, r.Val, r.Expiration, refresh);
        return store.Set(r.Path, r.Dir, r.Val, r.Expiration, refresh);
    }
}
