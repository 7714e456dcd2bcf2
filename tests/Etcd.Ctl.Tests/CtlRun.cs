using System.Diagnostics;
using System.Text;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.Tests;

/// <summary>What one etcdctl invocation produced.</summary>
public sealed record CtlResult(byte[] Stdout, string Stderr, int ExitCode)
{
    public string StdoutText => Encoding.UTF8.GetString(Stdout);

    public override string ToString()
        => "exit " + ExitCode + "\n--- stdout\n" + StdoutText + "\n--- stderr (normalized)\n" + OutputNormalizer.Stderr(Stderr);
}

/// <summary>Runs the official (Go) etcdctl as a process.</summary>
public static class OfficialCtl
{
    public const string BinaryPath = "/usr/bin/etcdctl";

    public static async Task<CtlResult> RunAsync(string endpoint, IReadOnlyList<string> args, string stdin = "", string api = "3")
    {
        var start = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        ClearCtlEnvironment(start.Environment);
        start.Environment["ETCDCTL_API"] = api;
        start.Environment["ETCDCTL_ENDPOINTS"] = endpoint;
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("etcdctl did not start");
        Task<byte[]> stdout = ReadAllAsync(process.StandardOutput.BaseStream);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
        process.StandardInput.Close();
        await process.WaitForExitAsync().ConfigureAwait(false);
        return new CtlResult(await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), process.ExitCode);
    }

    internal static void ClearCtlEnvironment(IDictionary<string, string?> environment)
    {
        foreach (string key in environment.Keys.ToList())
        {
            if (key.StartsWith("ETCDCTL_", StringComparison.Ordinal))
            {
                environment.Remove(key);
            }
        }
    }

    internal static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer).ConfigureAwait(false);
        return buffer.ToArray();
    }
}

/// <summary>Runs our etcdctl in-process through the same entry the executable uses.</summary>
public static class OurCtl
{
    public static async Task<CtlResult> RunAsync(string endpoint, IReadOnlyList<string> args, string stdin = "", IDictionary<string, string>? extraEnvironment = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ETCDCTL_API"] = "3",
            ["ETCDCTL_ENDPOINTS"] = endpoint,
        };
        if (extraEnvironment is not null)
        {
            foreach ((string key, string value) in extraEnvironment)
            {
                environment[key] = value;
            }
        }

        using var stdoutBuffer = new MemoryStream();
        using var stderrBuffer = new MemoryStream();
        var stdout = new ConsoleOutput(stdoutBuffer);
        var stderr = new ConsoleOutput(stderrBuffer);
        byte[] input = Encoding.UTF8.GetBytes(stdin);
        int code = await Program.Run(args, environment, stdout, stderr, () => new MemoryStream(input)).ConfigureAwait(false);
        stdout.Flush();
        stderr.Flush();
        return new CtlResult(stdoutBuffer.ToArray(), Encoding.UTF8.GetString(stderrBuffer.ToArray()), code);
    }

    /// <summary>Our etcdctl as a separate process (for commands that run until killed, like watch).</summary>
    public static ProcessStartInfo ProcessStart(string endpoint, IReadOnlyList<string> args)
    {
        string dll = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        OfficialCtl.ClearCtlEnvironment(start.Environment);
        start.Environment["ETCDCTL_ENDPOINTS"] = endpoint;
        return start;
    }
}
