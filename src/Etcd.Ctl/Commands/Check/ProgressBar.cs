using System.Globalization;
using System.Text;
using Etcd.Api.Text;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.Commands.Check;

/// <summary>
/// The progress line etcdctl's check commands print on stdout (cheggaaa/pb v1 with format
/// "Bom !"): "\r" + counters, a bar when the terminal width is known, percent and time left,
/// redrawn every 200 ms. Without a terminal the width is 0, so there is no bar and no padding.
/// Every write to stdout during the run goes through <see cref="WriteLine"/> so lines never interleave mid-write.
/// </summary>
internal sealed class ProgressBar : IAsyncDisposable
{
    private static readonly TimeSpan RefreshRate = TimeSpan.FromMilliseconds(200);
    private readonly ConsoleOutput _out;
    private readonly long _total;
    private readonly int _width;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly DateTime _start;
    private long _current;
    private long _previous;
    private DateTime _changeTime;
    private bool _finished;
    private Task? _refresher;

    public ProgressBar(ConsoleOutput output, long total, int width)
    {
        _out = output;
        _total = total;
        _width = width;
        _start = DateTime.UtcNow;
        _changeTime = _start;
    }

    /// <summary>Draws the first line and starts redrawing.</summary>
    public void Start()
    {
        Update();
        _refresher = RefreshAsync(_stop.Token);
    }

    public void Add(long n) => Interlocked.Add(ref _current, n);

    /// <summary>Draws the final line (elapsed time) and a newline; later redraws stop.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            _stop.Cancel();
            Draw(finished: true);
            _out.WriteLine();
            _out.Flush();
            _finished = true;
        }
    }

    /// <summary>A line of the command's own output, written between redraws.</summary>
    public void WriteLine(string text)
    {
        lock (_gate)
        {
            _out.WriteLine(text);
            _out.Flush();
        }
    }

    /// <summary>Stops redrawing without a final line (etcdctl's bar dies with the process).</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _finished = true;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_refresher is not null)
        {
            try
            {
                await _refresher.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    /// <summary>The terminal's width in columns, 0 when stdout is not one.</summary>
    public static int TerminalWidth()
    {
        if (Console.IsOutputRedirected)
        {
            return 0;
        }

        try
        {
            return Console.WindowWidth;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private async Task RefreshAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            await Task.Delay(RefreshRate, token).ConfigureAwait(false);
            Update();
        }
    }

    private void Update()
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            long current = Interlocked.Read(ref _current);
            if (current != _previous)
            {
                _changeTime = DateTime.UtcNow;
                _previous = current;
            }

            Draw(finished: false);
            _out.Flush();
        }
    }

    private void Draw(bool finished)
    {
        long current = Interlocked.Read(ref _current);
        string percent = " " + (_total > 0 ? current / (_total / 100.0) : current / 100.0).ToString("0.00", CultureInfo.InvariantCulture).PadLeft(6) + "%";
        string counters = " " + current.ToString(CultureInfo.InvariantCulture) + " / " + _total.ToString(CultureInfo.InvariantCulture) + " ";
        TimeSpan fromStart = DateTime.UtcNow - _start;
        string timeBox = "";
        if (finished)
        {
            timeBox = " " + GoDuration.Format(TimeSpan.FromSeconds(Math.Floor(fromStart.TotalSeconds)));
        }
        else if (current > 0)
        {
            double perEntry = (_changeTime - _start).TotalSeconds / current;
            double left = ((_total - current) * perEntry) - (DateTime.UtcNow - _changeTime).TotalSeconds;
            long leftSeconds = (long)Math.Truncate(left);
            if (leftSeconds > 0)
            {
                timeBox = " " + TimeLeft(leftSeconds);
            }
        }

        string bar = "";
        int size = _width - (counters.Length + 2 + percent.Length + timeBox.Length);
        if (size > 0)
        {
            int curSize = (int)Math.Ceiling((double)current / _total * size);
            curSize = Math.Min(curSize, size);
            int emptySize = Math.Max(size - curSize, 0);
            var b = new StringBuilder("B");
            if (emptySize == 0)
            {
                b.Append('o', curSize);
            }
            else if (curSize > 0)
            {
                b.Append('o', curSize - 1).Append('m');
            }

            b.Append(' ', emptySize).Append('!');
            bar = b.ToString();
        }

        string line = counters + bar + percent + timeBox;
        if (line.Length < _width)
        {
            line += new string(' ', _width - line.Length);
        }

        _out.Write("\r" + line);
    }

    // pb's duration style: [Nd][Nh]MMmSSs.
    private static string TimeLeft(long seconds)
    {
        var s = new StringBuilder();
        if (seconds > 86400)
        {
            s.Append(seconds / 86400).Append('d');
            seconds %= 86400;
        }

        if (seconds > 3600)
        {
            s.Append(seconds / 3600).Append('h');
            seconds %= 3600;
        }

        s.Append((seconds / 60).ToString("00", CultureInfo.InvariantCulture)).Append('m')
            .Append((seconds % 60).ToString("00", CultureInfo.InvariantCulture)).Append('s');
        return s.ToString();
    }
}
