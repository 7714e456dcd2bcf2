#if PLANTED_BUGS
namespace Etcd.Server.Testing;

/// <summary>
/// Bugs planted on purpose, compiled only into the build tests/planted-bugs.sh makes
/// (<c>-p:PlantedBugs=true</c>), one chosen per run by ETCD_PLANTED_BUG: the proof that the
/// cluster simulator can fail. Never part of a normal build.
/// </summary>
internal static class PlantedBug
{
    private static readonly string? Chosen = Environment.GetEnvironmentVariable("ETCD_PLANTED_BUG");

    /// <summary>A snapshot install leaves synced watchers synced: they miss the revisions it brought.</summary>
    public static bool WatchersKeptSyncedOnRestore => Chosen == "watch-restore";

    /// <summary>After a restart the last applied entry is applied a second time (an off-by-one in the idempotence guard).</summary>
    public static bool LastAppliedEntryAppliedAgain => Chosen == "reapply-last";

    /// <summary>Followers answer before their entries are durable, as only a leader may.</summary>
    public static bool FollowersSendBeforePersisting => Chosen == "follower-send-first";
}
#endif
