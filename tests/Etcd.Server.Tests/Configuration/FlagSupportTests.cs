using System.Collections;
using System.Globalization;
using Etcd.Server.Configuration;

namespace Etcd.Server.Tests.Configuration;

/// <summary>
/// No flag that lies: every etcd flag has a claim, and each claim holds. Implemented flags change
/// the configuration the server runs with; refused ones stop the start naming the flag; the ones
/// that cannot apply say so in --help and in the README.
/// </summary>
public sealed class FlagSupportTests
{
    // Values that are valid and differ from the default, where the kind alone does not give one.
    private static readonly Dictionary<string, string> Samples = new(StringComparer.Ordinal)
    {
        ["name"] = "other",
        ["data-dir"] = "/tmp/other.etcd",
        ["wal-dir"] = "/tmp/other.wal",
        ["initial-cluster"] = "other=http://127.0.0.1:2380",
        ["initial-cluster-token"] = "other-token",
        ["auto-compaction-retention"] = "5",
        ["log-outputs"] = "stdout",
        ["v2-deprecation"] = "write-only",
        ["discovery-fallback"] = "exit",
        ["proxy"] = "on",
        ["log-rotation-config-json"] = "{}",
        ["experimental-distributed-tracing-address"] = "localhost:1",
        ["experimental-distributed-tracing-service-name"] = "x",
        ["tls-min-version"] = "TLS1.3",
        ["tls-max-version"] = "TLS1.2",
        ["cors"] = "http://example.com:80",
        ["cipher-suites"] = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    };

    // What a flag needs beside it to pass etcd's own checks.
    private static readonly Dictionary<string, string[]> Companions = new(StringComparer.Ordinal)
    {
        ["listen-client-urls"] = ["--advertise-client-urls=http://127.0.0.1:1"],
        ["experimental-enable-lease-checkpoint-persist"] = ["--experimental-enable-lease-checkpoint"],
    };

    // Handled before a configuration exists (Program), so they are checked by their own tests.
    private static readonly HashSet<string> BeforeConfiguration = new(StringComparer.Ordinal) { "config-file", "version", "logger" };

    public static TheoryData<string> AllFlags()
    {
        var data = new TheoryData<string>();
        foreach (var flag in EtcdFlags.All) data.Add(flag.Name);
        return data;
    }

    [Fact]
    public void EveryFlagHasAClaimAndEveryClaimAFlag()
    {
        var names = EtcdFlags.All.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Equal([], names.Where(n => !FlagSupport.Claims.ContainsKey(n)).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal([], FlagSupport.Claims.Keys.Where(n => !names.Contains(n)).Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [MemberData(nameof(AllFlags))]
    public void ClaimHolds(string name)
    {
        var definition = EtcdFlags.All.Single(f => f.Name == name);
        var claim = FlagSupport.Claims[name];
        var companions = Companions.GetValueOrDefault(name, []);
        // A JWT setting is read with its key file; the HMAC methods take any bytes as the secret.
        using var secret = name == "auth-token" ? new SecretFile() : null;
        var changed = secret is null ? $"--{name}={Sample(definition)}" : $"--{name}=jwt,priv-key={secret.Path},sign-method=HS256";
        switch (claim.Kind)
        {
            case FlagSupportKind.Implemented:
                if (BeforeConfiguration.Contains(name)) return;
                var baseline = Config(companions);
                var withFlag = Config([.. companions, changed]);
                Assert.True(Differs(baseline, withFlag), $"{changed} leaves the configuration as it was: accepted and ignored");
                break;
            case FlagSupportKind.Refused:
                var e = Assert.Throws<FlagError>(() => Config([.. companions, changed]));
                Assert.StartsWith($"--{name}=", e.Message, StringComparison.Ordinal);
                Assert.Equal(1, e.ExitCode);
                // Its default (given explicitly, as unit files do) still starts.
                Config([.. companions, $"--{name}={definition.Default}"]);
                break;
            case FlagSupportKind.NotApplicable:
                Assert.Contains($"  --{name}", Usage.Text(), StringComparison.Ordinal);
                Assert.Contains($"Has no effect here: {claim.Note}.", HelpOf(name), StringComparison.Ordinal);
                Assert.Contains($"`--{name}`", Readme(), StringComparison.Ordinal);
                Config([.. companions, changed]);
                break;
        }
    }

    [Fact]
    public void RefusedFlagsAreNamedInHelp()
    {
        foreach (var (name, claim) in FlagSupport.Claims.Where(c => c.Value.Kind == FlagSupportKind.Refused))
            Assert.Contains($"Not supported: {claim.Note};", HelpOf(name), StringComparison.Ordinal);
    }

    private static string HelpOf(string name)
    {
        var text = Usage.Text();
        var start = text.IndexOf($"  --{name} ", StringComparison.Ordinal);
        if (start < 0) start = text.IndexOf($"  --{name}\n", StringComparison.Ordinal);
        var next = text.IndexOf("\n  --", start + 3, StringComparison.Ordinal);
        return next < 0 ? text[start..] : text[start..next];
    }

    private static string Readme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(Path.Combine(dir.FullName, "Etcd.slnx"))) return File.ReadAllText(path);
        }
        throw new FileNotFoundException("README.md above " + AppContext.BaseDirectory);
    }

    private static string Sample(FlagDefinition definition)
    {
        if (Samples.TryGetValue(definition.Name, out var sample)) return sample;
        return definition.Kind switch
        {
            FlagKind.Bool => definition.Default == "true" ? "false" : "true",
            FlagKind.Int or FlagKind.Uint => definition.Default == "math.MaxUint32" ? "1000" : (long.Parse(definition.Default, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture),
            FlagKind.Duration => "7s",
            FlagKind.Urls => "http://127.0.0.1:1",
            FlagKind.Choice => definition.Choices!.First(c => c != definition.Default),
            _ => "other",
        };
    }

    private static EtcdConfig Config(string[] args)
    {
        var flags = new FlagSet(EtcdFlags.All);
        flags.Parse(args);
        return EtcdConfig.From(flags);
    }

    private static bool Differs(EtcdConfig a, EtcdConfig b)
    {
        foreach (var property in typeof(EtcdConfig).GetProperties())
        {
            var x = property.GetValue(a);
            var y = property.GetValue(b);
            if (x is IEnumerable list and not string)
            {
                if (!list.Cast<object>().Select(o => o.ToString()).SequenceEqual(((IEnumerable)y!).Cast<object>().Select(o => o.ToString()))) return true;
            }
            else if (!Equals(x, y))
            {
                return true;
            }
        }
        return false;
    }

    private sealed class SecretFile : IDisposable
    {
        public string Path { get; } = System.IO.Path.GetTempFileName();

        public SecretFile() => File.WriteAllText(Path, "a shared secret of enough bytes for HS256");

        public void Dispose() => File.Delete(Path);
    }
}
