using Etcd.Api.Mvccpb;

namespace Etcd.Mvcc;

/// <summary>Fetches the record of a past revision that the index no longer holds in memory.</summary>
internal interface IRecordLoader
{
    /// <summary>The record written at <paramref name="revision"/>, which is a put that must exist.</summary>
    KeyValue Load(Revision revision);
}
