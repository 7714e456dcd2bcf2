using System.Runtime.InteropServices;

namespace Etcd.Storage.Backend.RocksDb.Native;

/// <summary>
/// Finds RocksDB's native library (the RocksDB package's <c>librocksdb.so</c>) for a published
/// program: beside the executable it really is (symbolic links followed, so /usr/local/bin/etcd
/// linked to an unpacked release folder loads that folder's library), then the loader's usual
/// places (an app's deps.json, LD_LIBRARY_PATH, the system's directories). A missing library is
/// one line naming the file and where it was looked for, not a DllNotFoundException's stack.
/// </summary>
public static class RocksDbLibrary
{
    /// <summary>The file the release archive ships beside etcd, etcdctl and etcdutl.</summary>
    public const string FileName = "librocksdb.so";

    private static readonly Lazy<(nint Handle, string? Error)> Loaded = new(Load);

    /// <summary>Loads the library once; false with the one line to print when it cannot be.</summary>
    public static bool TryLoad(out string error)
    {
        error = Loaded.Value.Error ?? "";
        return Loaded.Value.Error is null;
    }

    /// <summary>
    /// True when <paramref name="e"/> is the library missing at a first call (a program that loads
    /// it only for some commands), with the one line to print.
    /// </summary>
    public static bool IsMissing(Exception e, out string message)
    {
        message = "";
        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause is DllNotFoundException && Loaded.IsValueCreated && Loaded.Value.Error is { } error)
            {
                message = error;
                return true;
            }
        }
        return false;
    }

    /// <summary>Points the bindings' <c>[LibraryImport("rocksdb")]</c> at <see cref="TryLoad"/>'s library.</summary>
    internal static void Resolve() =>
        NativeLibrary.SetDllImportResolver(typeof(RocksDbLibrary).Assembly, (name, _, _) =>
            name != RocksDbNativeName ? 0
            : Loaded.Value.Error is { } error ? throw new DllNotFoundException(error)
            : Loaded.Value.Handle);

    internal const string RocksDbNativeName = "rocksdb";

    private static (nint, string?) Load()
    {
        var program = ResolvedExecutable();
        var directory = program is null ? null : Path.GetDirectoryName(program);
        var beside = directory is null ? null : Path.Combine(directory, FileName);
        if (beside is not null && File.Exists(beside))
        {
            try
            {
                return (NativeLibrary.Load(beside), null);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                // There but unusable (another architecture, a truncated copy): say why.
                return (0, $"{Name(program)}: cannot load {beside}: {OneLine(e.Message)}");
            }
        }
        if (NativeLibrary.TryLoad(RocksDbNativeName, typeof(RocksDbLibrary).Assembly, null, out var handle))
            return (handle, null);
        var where = beside is null ? "beside the executable" : $"at {beside} (beside {program})";
        return (0, $"{Name(program)}: cannot find {FileName}: looked {where} and on the library path; "
            + $"install it beside the executable, as the release archive has it");
    }

    private static string? ResolvedExecutable()
    {
        var path = Environment.ProcessPath;
        if (path is null) return null;
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        }
        catch (IOException)
        {
            return path;
        }
    }

    private static string Name(string? program) => program is null ? "etcd" : Path.GetFileName(program);

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
