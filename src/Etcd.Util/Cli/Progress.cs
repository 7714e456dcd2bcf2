namespace Etcd.Util.Cli;

/// <summary>Progress of a long operation on stderr, only when stderr is a terminal (scripts and logs stay quiet).</summary>
public sealed class Progress(TextWriter error)
{
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private DateTime _last;

    public Action<string>? Reporter => _terminal ? Report : null;

    public Action<long>? Counter(string what) => _terminal ? n => Report($"{what}: {n}") : null;

    private void Report(string text)
    {
        var now = DateTime.UtcNow;
        if (now - _last < TimeSpan.FromMilliseconds(200)) return;
        _last = now;
        error.Write("\r" + text + "\u001b[K");
    }

    public void Done()
    {
        if (_terminal && _last != default) error.Write("\r\u001b[K");
    }
}
