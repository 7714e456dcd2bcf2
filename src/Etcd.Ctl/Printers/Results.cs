using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;

namespace Etcd.Ctl.Printers;

/// <summary>One endpoint's answer to "endpoint health".</summary>
public sealed record EndpointHealthResult(string Endpoint, bool Health, string Took, string Error);

/// <summary>One endpoint's answer to "endpoint status".</summary>
public sealed record EndpointStatusResult(string Endpoint, StatusResponse Status);

/// <summary>One endpoint's answer to "endpoint hashkv".</summary>
public sealed record EndpointHashResult(string Endpoint, HashKVResponse HashKV);

/// <summary>A batch of watch events as the Go client hands them to etcdctl's printers.</summary>
public sealed record WatchBatch(ResponseHeader Header, IReadOnlyList<Event> Events, long CompactRevision, bool Canceled, bool Created);
