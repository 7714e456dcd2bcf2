using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Etcd.Server.Logging;

/// <summary>
/// Writes one JSON object per line in the shape of etcd's zap logger
/// ({"level","ts","caller","msg", fields...}), because operators and tools (etcd's own e2e suite
/// among them) wait for etcd's messages in this form.
/// </summary>
public sealed class ZapLogger : IDisposable
{
    private readonly LogLevel _minimum;
    private readonly Stream[] _outputs;
    private readonly bool _ownsOutputs;
    private readonly Lock _lock = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(512);

    public ZapLogger(LogLevel minimum, Stream[] outputs, bool ownsOutputs)
    {
        _minimum = minimum;
        _outputs = outputs;
        _ownsOutputs = ownsOutputs;
    }

    /// <summary>Opens the --log-outputs targets: default/stderr, stdout, or file paths (appended).</summary>
    public static ZapLogger Create(string level, IReadOnlyList<string> outputs)
    {
        var minimum = level switch
        {
            "debug" => LogLevel.Debug,
            "warn" => LogLevel.Warn,
            "error" => LogLevel.Error,
            "panic" => LogLevel.Panic,
            "fatal" => LogLevel.Fatal,
            _ => LogLevel.Info,
        };
        var streams = new List<Stream>();
        foreach (var output in outputs)
        {
            streams.Add(output switch
            {
                "default" or "stderr" => Console.OpenStandardError(),
                "stdout" => Console.OpenStandardOutput(),
                _ => new FileStream(output, FileMode.Append, FileAccess.Write, FileShare.ReadWrite),
            });
        }
        if (streams.Count == 0) streams.Add(Console.OpenStandardError());
        return new ZapLogger(minimum, streams.ToArray(), ownsOutputs: true);
    }

    /// <summary>A logger that drops everything, for tests.</summary>
    public static ZapLogger Discard { get; } = new(LogLevel.Fatal + 1, [], ownsOutputs: false);

    public bool IsEnabled(LogLevel level) => level >= _minimum;

    public void Debug(string message, params ReadOnlySpan<LogField> fields) => Write(LogLevel.Debug, message, fields);

    public void Info(string message, params ReadOnlySpan<LogField> fields) => Write(LogLevel.Info, message, fields);

    public void Warn(string message, params ReadOnlySpan<LogField> fields) => Write(LogLevel.Warn, message, fields);

    public void Error(string message, params ReadOnlySpan<LogField> fields) => Write(LogLevel.Error, message, fields);

    public void Write(LogLevel level, string message, ReadOnlySpan<LogField> fields, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        if (level < _minimum) return;
        lock (_lock)
        {
            _buffer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteString("level", level.ToString().ToLowerInvariant());
                json.WriteString("ts", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
                json.WriteString("caller", Caller(file, line));
                json.WriteString("msg", message);
                foreach (var field in fields) field.WriteTo(json);
                json.WriteEndObject();
            }
            _buffer.Write("\n"u8);
            foreach (var output in _outputs)
            {
                output.Write(_buffer.WrittenSpan);
                output.Flush();
            }
        }
    }

    // zap prints "package/file.go:line"; we print the last folder and file of our source.
    private static string Caller(string file, int line)
    {
        var name = Path.GetFileName(file);
        var folder = Path.GetFileName(Path.GetDirectoryName(file) ?? "");
        return $"{folder.ToLowerInvariant()}/{name}:{line}";
    }

    public void Dispose()
    {
        if (!_ownsOutputs) return;
        foreach (var output in _outputs) output.Dispose();
    }
}
