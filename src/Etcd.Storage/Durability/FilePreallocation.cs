using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Etcd.Storage.Durability;

/// <summary>
/// Sizes a file and reserves its blocks up front. Appends into reserved space leave the file's
/// size unchanged, so fdatasync need not write the inode; .NET's own preallocation option
/// reserves blocks but keeps the size at 0, which loses exactly that.
/// </summary>
public static partial class FilePreallocation
{
    /// <summary>Makes the file <paramref name="length"/> bytes long, the new part reading as zeros.</summary>
    public static void Extend(SafeFileHandle file, long length)
    {
        if (RandomAccess.GetLength(file) >= length)
        {
            return;
        }
        if (OperatingSystem.IsLinux() && TryFallocate(file, length))
        {
            return;
        }
        // No fallocate (other OS, or a file system without it): a sparse extension still reads as zeros.
        RandomAccess.SetLength(file, length);
    }

    private static bool TryFallocate(SafeFileHandle file, long length)
    {
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            // Mode 0 allocates and extends the size, zero-filled.
            return Fallocate((int)file.DangerousGetHandle(), 0, 0, length) == 0;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int Fallocate(int fd, int mode, long offset, long length);
}
