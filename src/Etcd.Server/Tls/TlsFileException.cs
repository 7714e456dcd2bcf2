namespace Etcd.Server.Tls;

/// <summary>A certificate, key, CA or CRL file that cannot be read or parsed; the message names the file.</summary>
public sealed class TlsFileException(string message, Exception? inner = null) : Exception(message, inner);
