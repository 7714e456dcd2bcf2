using System.Diagnostics;

namespace Etcd.Bbolt.Tests;

/// <summary>
/// Real bbolt, through boltdump/main.go built with Debian's Go against Debian's go.etcd.io/bbolt
/// (golang-go and golang-github-coreos-bbolt-dev; ./test.sh installs them). Built once per run.
/// </summary>
public static class RealBbolt
{
    private static readonly Lazy<string> Program = new(Build);

    /// <summary>bbolt's Tx.Check and listing of <paramref name="path"/>; the first line is "S size".</summary>
    public static string Dump(string path) => Run("dump", path, null);

    /// <summary>Creates <paramref name="path"/> with bbolt from a <see cref="BucketTree.Listing"/>.</summary>
    public static void Load(string path, string listing) => Run("load", path, listing);

    private static string Run(string command, string path, string? input)
    {
        var start = new ProcessStartInfo(Program.Value) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null) process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) process.Kill();
        if (process.ExitCode != 0) throw new InvalidOperationException($"boltdump {command} exited {process.ExitCode}: {error.Result}");
        return output.Result;
    }

    private static string Build()
    {
        var dir = Path.Combine(Path.GetTempPath(), "etcd-bbolt-tests-go");
        Directory.CreateDirectory(dir);
        var binary = Path.Combine(dir, $"boltdump-{Environment.ProcessId}");
        var source = Path.Combine(AppContext.BaseDirectory, "boltdump", "main.go");
        var start = new ProcessStartInfo("go", ["build", "-o", binary, source]) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["GO111MODULE"] = "off";
        start.Environment["GOPATH"] = "/usr/share/gocode";
        start.Environment["GOCACHE"] = Path.Combine(dir, "cache");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start go");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"go build of boltdump failed (golang-go and golang-github-coreos-bbolt-dev installed?): {error}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(binary);
        return binary;
    }
}
