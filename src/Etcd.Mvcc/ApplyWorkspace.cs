namespace Etcd.Mvcc;

/// <summary>
/// Collections and buffers the applying thread reuses from batch to batch, so a batch with a
/// single small write allocates little besides its records. Owned by the store; lent to one
/// open batch at a time and cleared when it closes.
/// </summary>
internal sealed class ApplyWorkspace
{
    /// <summary>Buffers larger than this are not kept after a batch, so one huge record does not pin memory.</summary>
    private const int MaxRetainedBufferBytes = 64 * 1024;

    /// <summary>The open batch's changes, in revision order.</summary>
    public List<Change> Changes { get; } = [];

    /// <summary>Compaction revisions the open batch requested, in order.</summary>
    public List<long> Compactions { get; } = [];

    /// <summary>The branch each transaction on the chosen path of the current Txn takes, in pre-order.</summary>
    public List<bool> TxnPath { get; } = [];

    /// <summary>Where records are serialized before they go into the backend batch.</summary>
    public byte[] RecordBuffer { get; private set; } = new byte[1024];

    public Span<byte> RecordBufferOf(int size)
    {
        if (size > RecordBuffer.Length)
        {
            RecordBuffer = new byte[Math.Max(size, RecordBuffer.Length * 2)];
        }
        return RecordBuffer.AsSpan(0, size);
    }

    public void Clear()
    {
        // Records are shared with readers; the workspace must not keep them alive.
        Changes.Clear();
        Compactions.Clear();
        TxnPath.Clear();
        if (RecordBuffer.Length > MaxRetainedBufferBytes)
        {
            RecordBuffer = new byte[1024];
        }
    }
}
