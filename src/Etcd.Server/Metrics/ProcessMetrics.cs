using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Etcd.Server.Metrics;

/// <summary>Prometheus' process collector: CPU, memory, file descriptors and start time, read from /proc as Go's client does.</summary>
public static class ProcessMetrics
{
    private static readonly double StartTime = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;

    public static void WriteTo(StringBuilder text)
    {
        using var self = Process.GetCurrentProcess();
        Write(text, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter", self.TotalProcessorTime.TotalSeconds);
        Write(text, "process_max_fds", "Maximum number of open file descriptors.", "gauge", MaxFds());
        Write(text, "process_open_fds", "Number of open file descriptors.", "gauge", OpenFds());
        Write(text, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", self.WorkingSet64);
        Write(text, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge", StartTime);
        Write(text, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge", self.VirtualMemorySize64);
    }

    private static double OpenFds()
    {
        try
        {
            return Directory.GetFileSystemEntries("/proc/self/fd").Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static double MaxFds()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (!line.StartsWith("Max open files", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return double.TryParse(parts[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var soft) ? soft : 0;
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }

    internal static void Write(StringBuilder text, string name, string help, string type, double value, string labels = "")
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        text.Append(name);
        if (labels.Length > 0) text.Append('{').Append(labels).Append('}');
        text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }
}
