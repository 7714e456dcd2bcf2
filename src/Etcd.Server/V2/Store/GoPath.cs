using System.Text;

namespace Etcd.Server.V2.Store;

/// <summary>
/// Go's path.Clean and path.Join, which decide what key a v2 request names: a rooted path with
/// no empty, "." or ".." elements and no trailing slash ("/a//b/../c/" is "/a/c").
/// </summary>
public static class GoPath
{
    /// <summary>The rooted, cleaned form of <paramref name="path"/> (Clean(Join("/", path))).</summary>
    public static string CleanRooted(string path)
    {
        if (IsClean(path)) return path;
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..")
            {
                if (parts.Count > 0) parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        if (parts.Count == 0) return "/";
        var text = new StringBuilder(path.Length + 1);
        foreach (var part in parts) text.Append('/').Append(part);
        return text.ToString();
    }

    /// <summary>Go's path.Join of a rooted prefix and a suffix, cleaned.</summary>
    public static string Join(string prefix, string suffix) => CleanRooted(suffix.Length == 0 ? prefix : prefix + "/" + suffix);

    /// <summary>The last element of a clean rooted path ("" for "/").</summary>
    public static string Name(string cleanPath) => cleanPath[(cleanPath.LastIndexOf('/') + 1)..];

    // The common case, checked without allocating: already rooted and clean.
    private static bool IsClean(string path)
    {
        if (path.Length == 0 || path[0] != '/') return false;
        if (path.Length == 1) return true;
        if (path[^1] == '/') return false;
        var start = 1;
        while (start <= path.Length)
        {
            var end = path.IndexOf('/', start);
            if (end < 0) end = path.Length;
            var length = end - start;
            if (length == 0) return false;
            if (length == 1 && path[start] == '.') return false;
            if (length == 2 && path[start] == '.' && path[start + 1] == '.') return false;
            start = end + 1;
        }
        return true;
    }
}
