using System.Text;

namespace Etcd.Ctl.V2;

/// <summary>URL pieces spelled as Go's net/url and etcd's pathutil spell them (the --debug cURL lines show them).</summary>
public static class V2Url
{
    /// <summary>etcd's CanonicalURLPath: leading slash, cleaned, trailing slash kept.</summary>
    public static string CanonicalPath(string p)
    {
        if (p.Length == 0)
        {
            return "/";
        }

        if (p[0] != '/')
        {
            p = "/" + p;
        }

        string clean = CleanPath(p);
        if (p[^1] == '/' && clean != "/")
        {
            clean += "/";
        }

        return clean;
    }

    /// <summary>Go's path.Clean for a rooted path.</summary>
    public static string CleanPath(string p)
    {
        var parts = new List<string>();
        foreach (string part in p.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return "/" + string.Join('/', parts);
    }

    /// <summary>Go's URL path escaping (EscapedPath).</summary>
    public static string EscapePath(string path)
    {
        var sb = new StringBuilder(path.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(path))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' or '$' or '&' or '+' or ',' or '/' or ':' or ';' or '=' or '@')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    /// <summary>Go's url.QueryEscape.</summary>
    public static string QueryEscape(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(s))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                sb.Append(c);
            }
            else if (c == ' ')
            {
                sb.Append('+');
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    /// <summary>Go's url.Values.Encode: keys sorted, "k=v" joined by '&amp;'.</summary>
    public static string Encode(SortedDictionary<string, string> values)
    {
        var sb = new StringBuilder();
        foreach ((string key, string value) in values)
        {
            if (sb.Length > 0)
            {
                sb.Append('&');
            }

            sb.Append(QueryEscape(key)).Append('=').Append(QueryEscape(value));
        }

        return sb.ToString();
    }
}
