namespace Etcd.Server.Logging;

/// <summary>zap's levels, in order; the names are what etcd prints.</summary>
public enum LogLevel
{
    Debug,
    Info,
    Warn,
    Error,
    Panic,
    Fatal,
}
