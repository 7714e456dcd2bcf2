namespace Etcd.Compat.Tests;

/// <summary>
/// --quota-backend-bytes: writes past the quota fail with etcd's error and raise the NOSPACE
/// alarm; reads and deletes still work; disarming lifts it. Each step prints what etcd prints.
/// </summary>
public sealed class QuotaCompatibilityTests : IAsyncLifetime
{
    private const string Quota = "120000";
    private EtcdProcess _reference = null!;
    private EtcdProcess _ours = null!;

    public async Task InitializeAsync()
    {
        (_reference, _ours) = await EtcdProcess.StartBothAsync(["--quota-backend-bytes", Quota]);
    }

    public async Task DisposeAsync()
    {
        await _reference.DisposeAsync();
        await _ours.DisposeAsync();
    }

    // Puts 4 KiB values until one is refused; returns the refusal.
    private static async Task<CommandResult> FillUntilRefused(EtcdProcess member)
    {
        var etcdctl = new Etcdctl(member.Endpoint, Binaries.OfficialEtcdctl);
        var value = new string('x', 4096);
        for (var i = 0; i < 2000; i++)
        {
            var result = await etcdctl.RunAsync("put", $"fill/{i:D4}", value);
            if (result.ExitCode != 0) return result;
        }
        throw new Xunit.Sdk.XunitException($"{member.Binary} accepted 2000 puts of 4 KiB with a {Quota}-byte quota");
    }

    private async Task Same(params string[] args)
    {
        var expected = await new Etcdctl(_reference.Endpoint, Binaries.OfficialEtcdctl).RunAsync(args);
        var actual = await new Etcdctl(_ours.Endpoint, Binaries.OfficialEtcdctl).RunAsync(args);
        Assert.Equal(
            OutputNormalizer.Normalize(expected.ToString(), _reference.ClientPort, _reference.PeerPort).Replace(MemberIdText(_reference), "MEMBER"),
            OutputNormalizer.Normalize(actual.ToString(), _ours.ClientPort, _ours.PeerPort).Replace(MemberIdText(_ours), "MEMBER"));
    }

    private static string MemberIdText(EtcdProcess member)
    {
        var marker = "\"local-member-id\":\"";
        var at = member.Log.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return Convert.ToUInt64(member.Log.Substring(at, 16).TrimEnd('"'), 16).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task WritesPastTheQuotaFailAndRaiseNospace()
    {
        var expected = await FillUntilRefused(_reference);
        var actual = await FillUntilRefused(_ours);
        Assert.Equal(expected.ExitCode, actual.ExitCode);
        Assert.Equal("Error: etcdserver: mvcc: database space exceeded\n", actual.Stderr[actual.Stderr.IndexOf("Error:", StringComparison.Ordinal)..]);

        await Same("alarm", "list");
        await Same("put", "more", "x");
        await Same("lease", "grant", "60");
        await Same("get", "fill/0000", "--keys-only");
        await Same("del", "fill/0001");
        await Same("txn"); // empty txn: writes nothing, so the alarm does not refuse it
        await Same("alarm", "disarm");
        await Same("alarm", "list");
    }
}
