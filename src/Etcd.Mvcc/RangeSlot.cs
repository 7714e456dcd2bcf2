using Etcd.Api.Mvccpb;

namespace Etcd.Mvcc;

/// <summary>One key a range matched: its record, or the revision to load the record from.</summary>
internal struct RangeSlot
{
    /// <summary>Null until loaded when the record is not in memory.</summary>
    public KeyValue? Record;

    /// <summary>The revision visible for this key.</summary>
    public Revision Revision;

    /// <summary>Position in key order; breaks ties so that sorting is stable.</summary>
    public int Order;
}
