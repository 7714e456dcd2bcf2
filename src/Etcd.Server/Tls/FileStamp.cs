namespace Etcd.Server.Tls;

/// <summary>
/// What a cheap stat says about a file: when it was last written and how long it is. Renewal in
/// place (cert-manager, kubeadm) or through a symlink swap (a Kubernetes secret volume) changes it.
/// </summary>
public readonly record struct FileStamp(long WriteTicks, long Length)
{
    public static FileStamp Of(string path)
    {
        try
        {
            // FileInfo follows a symlink to its target for the times and the length.
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(info.LastWriteTimeUtc.Ticks, info.Length) : default;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return default;
        }
    }
}
