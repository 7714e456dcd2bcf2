namespace Etcd.Server.Http;

/// <summary>A health endpoint's answer: status code and body, always served as text/plain (Go's net/http does so for etcd's).</summary>
public readonly record struct HealthAnswer(int StatusCode, string Body);
