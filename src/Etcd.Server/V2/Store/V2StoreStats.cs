using System.Text;

namespace Etcd.Server.V2.Store;

/// <summary>The v2 store's operation counters, answered by /v2/stats/store in etcd's field order.</summary>
public sealed class V2StoreStats
{
    public enum Counter
    {
        GetSuccess, GetFail, SetSuccess, SetFail, DeleteSuccess, DeleteFail, UpdateSuccess, UpdateFail,
        CreateSuccess, CreateFail, CompareAndSwapSuccess, CompareAndSwapFail, CompareAndDeleteSuccess, CompareAndDeleteFail, ExpireCount,
    }

    private static readonly string[] Names =
    [
        "getsSuccess", "getsFail", "setsSuccess", "setsFail", "deleteSuccess", "deleteFail", "updateSuccess", "updateFail",
        "createSuccess", "createFail", "compareAndSwapSuccess", "compareAndSwapFail", "compareAndDeleteSuccess", "compareAndDeleteFail", "expireCount",
    ];

    private readonly long[] _counts = new long[Names.Length];

    public void Increment(Counter counter) => Interlocked.Increment(ref _counts[(int)counter]);

    public long this[Counter counter] => Interlocked.Read(ref _counts[(int)counter]);

    public string ToJson(long watchers)
    {
        var text = new StringBuilder(400).Append('{');
        for (var i = 0; i < Names.Length; i++)
            text.Append('"').Append(Names[i]).Append("\":").Append(Interlocked.Read(ref _counts[i])).Append(',');
        return text.Append("\"watchers\":").Append(watchers).Append('}').ToString();
    }
}
