namespace Etcd.Server.Core;

/// <summary>A member cannot start with this configuration or data directory; the message says why.</summary>
public sealed class BootstrapException(string message) : Exception(message);
