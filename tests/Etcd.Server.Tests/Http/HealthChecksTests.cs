using Etcd.Server.Api;
using Etcd.Server.Http;

namespace Etcd.Server.Tests.Http;

/// <summary>etcd 3.5's /health, /livez and /readyz answers (bodies and codes kubeadm's probes and scripts read).</summary>
public sealed class HealthChecksTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private sealed class FakeMember : IMemberHealth
    {
        public List<string> Alarms { get; } = [];
        public IReadOnlyList<string> ActiveAlarms => Alarms;
        public bool HasLeader { get; set; } = true;
        public bool IsLearner { get; set; }
        public bool LinearizableFails { get; set; }
        public bool ReadHangs { get; set; }
        public List<bool> Reads { get; } = [];

        public async Task ReadAsync(bool serializable, CancellationToken cancellationToken)
        {
            Reads.Add(serializable);
            if (ReadHangs) await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
            if (!serializable && LinearizableFails) throw EtcdErrors.NoLeader;
        }
    }

    [Fact]
    public async Task HealthyMemberAnswersEtcdsJson()
    {
        var answer = await HealthChecks.HealthAsync(new FakeMember(), [], serializable: false, Timeout);
        Assert.Equal(new HealthAnswer(200, "{\"health\":\"true\",\"reason\":\"\"}"), answer);
    }

    [Fact]
    public async Task KubeadmProbeExcludesNospaceAndSkipsTheLeaderCheck()
    {
        var member = new FakeMember { HasLeader = false };
        member.Alarms.Add("NOSPACE");
        Assert.Equal(new HealthAnswer(503, "{\"health\":\"false\",\"reason\":\"ALARM NOSPACE\"}\n"), await HealthChecks.HealthAsync(member, [], false, Timeout));
        Assert.Equal(new HealthAnswer(503, "{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}\n"), await HealthChecks.HealthAsync(member, ["NOSPACE"], false, Timeout));
        // kubeadm: GET /health?exclude=NOSPACE&serializable=true: a local read, no leader needed.
        member.Reads.Clear();
        Assert.Equal(200, (await HealthChecks.HealthAsync(member, ["NOSPACE"], true, Timeout)).StatusCode);
        Assert.Equal([true], member.Reads);
        member.Alarms.Add("CORRUPT");
        Assert.Equal("{\"health\":\"false\",\"reason\":\"ALARM CORRUPT\"}\n", (await HealthChecks.HealthAsync(member, ["NOSPACE"], true, Timeout)).Body);
    }

    [Fact]
    public async Task FailedReadIsARangeError()
    {
        var member = new FakeMember { LinearizableFails = true };
        Assert.Equal("{\"health\":\"false\",\"reason\":\"RANGE ERROR:etcdserver: no leader\"}\n", (await HealthChecks.HealthAsync(member, [], false, Timeout)).Body);
        var hanging = new FakeMember { ReadHangs = true };
        Assert.Equal("{\"health\":\"false\",\"reason\":\"RANGE ERROR:context deadline exceeded\"}\n",
            (await HealthChecks.HealthAsync(hanging, [], false, TimeSpan.FromMilliseconds(20))).Body);
    }

    [Fact]
    public async Task ReadyzAndLivezSayOkOrNameTheFailedCheck()
    {
        var member = new FakeMember();
        Assert.Equal(new HealthAnswer(200, "ok\n"), await HealthChecks.RunAsync(member, HealthChecks.Readyz, [], verbose: false, Timeout));
        Assert.Equal(new HealthAnswer(200, "[+]serializable_read ok\nok\n"), await HealthChecks.RunAsync(member, HealthChecks.Livez, [], verbose: true, Timeout));

        member.LinearizableFails = true;
        member.Alarms.Add("CORRUPT");
        var failed = await HealthChecks.RunAsync(member, HealthChecks.Readyz, [], verbose: false, Timeout);
        Assert.Equal(503, failed.StatusCode);
        Assert.Equal("[-]data_corruption failed: alarm activated: CORRUPT\n[+]serializable_read ok\n[-]linearizable_read failed: etcdserver: no leader\n[+]non_learner ok\n\n", failed.Body);
        // A live member without quorum is still alive.
        Assert.Equal(new HealthAnswer(200, "ok\n"), await HealthChecks.RunAsync(member, HealthChecks.Livez, [], false, Timeout));
    }

    [Fact]
    public async Task ExcludedChecksDoNotRunAndUnknownExclusionsAreIgnored()
    {
        var member = new FakeMember { IsLearner = true, LinearizableFails = true };
        var recorded = new List<string>();
        var answer = await HealthChecks.RunAsync(member, HealthChecks.Readyz, ["linearizable_read", "non_learner", "no_such_check"], verbose: true, Timeout,
            (name, ok) => recorded.Add($"{name}={ok}"));
        Assert.Equal(new HealthAnswer(200, "[+]data_corruption ok\n[+]serializable_read ok\nok\n"), answer);
        Assert.Equal(["data_corruption=True", "serializable_read=True"], recorded);
        var learner = await HealthChecks.RunAsync(member, ["non_learner"], [], false, Timeout);
        Assert.Equal(new HealthAnswer(503, "[-]non_learner failed: not supported for learner\n\n"), learner);
    }
}
