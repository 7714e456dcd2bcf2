using System.Runtime.InteropServices;

namespace Etcd.Ctl.Commands;

/// <summary>Turns SIGINT/SIGTERM into a cancellation, so lock and elect can release what they hold before exiting.</summary>
public sealed class SignalWait : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public SignalWait()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancelled when the process is asked to stop.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>Completes when a stop signal arrives.</summary>
    public Task Signalled()
    {
        var signalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Token.Register(() => signalled.TrySetResult());
        return signalled.Task;
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cancel.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _cancel.Cancel();
    }
}
