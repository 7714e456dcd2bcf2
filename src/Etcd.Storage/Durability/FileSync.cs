using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Etcd.Storage.Durability;

/// <summary>
/// Forces a file's data to disk. On Linux this is fdatasync, which skips the inode's timestamps:
/// into a preallocated file (size unchanged) that saves a journal write per sync, as etcd does.
/// </summary>
public static partial class FileSync
{
    public static void Flush(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(file);
            return;
        }
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            if (Fdatasync((int)file.DangerousGetHandle()) != 0)
            {
                throw new IOException($"fdatasync failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int Fdatasync(int fd);
}
