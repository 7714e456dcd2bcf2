using System.Globalization;
using System.Text;

namespace Etcd.Ctl.Text;

/// <summary>Reads Go string literals ("..." with escapes, or `raw`), as fmt's %q verb and strconv.Unquote do.</summary>
public static class GoUnquote
{
    /// <summary>
    /// Scans a quoted string at the start of <paramref name="input"/>; returns the value and how
    /// many characters it used, or null when there is no well-formed literal there.
    /// </summary>
    public static (string Value, int Length)? Scan(string input)
    {
        if (input.Length == 0)
        {
            return null;
        }

        if (input[0] == '`')
        {
            int close = input.IndexOf('`', 1);
            return close < 0 ? null : (input[1..close], close + 1);
        }

        if (input[0] != '"')
        {
            return null;
        }

        var bytes = new List<byte>();
        int i = 1;
        while (i < input.Length)
        {
            char c = input[i];
            if (c == '"')
            {
                return (Encoding.UTF8.GetString([.. bytes]), i + 1);
            }

            if (c != '\\')
            {
                int width = char.IsHighSurrogate(c) && i + 1 < input.Length ? 2 : 1;
                bytes.AddRange(Encoding.UTF8.GetBytes(input.Substring(i, width)));
                i += width;
                continue;
            }

            if (i + 1 >= input.Length || !TryEscape(input, ref i, bytes))
            {
                return null;
            }
        }

        return null;
    }

    // i points at the backslash; on success it is moved past the escape.
    private static bool TryEscape(string s, ref int i, List<byte> bytes)
    {
        char e = s[i + 1];
        switch (e)
        {
            case 'a': bytes.Add(7); i += 2; return true;
            case 'b': bytes.Add(8); i += 2; return true;
            case 'f': bytes.Add(12); i += 2; return true;
            case 'n': bytes.Add(10); i += 2; return true;
            case 'r': bytes.Add(13); i += 2; return true;
            case 't': bytes.Add(9); i += 2; return true;
            case 'v': bytes.Add(11); i += 2; return true;
            case '\\': bytes.Add((byte)'\\'); i += 2; return true;
            case '"': bytes.Add((byte)'"'); i += 2; return true;
            case 'x': return Hex(s, ref i, 2, bytes, asRune: false);
            case 'u': return Hex(s, ref i, 4, bytes, asRune: true);
            case 'U': return Hex(s, ref i, 8, bytes, asRune: true);
        }

        if (e is >= '0' and <= '7' && i + 3 < s.Length + 0 && i + 4 <= s.Length)
        {
            string octal = s.Substring(i + 1, 3);
            int value = 0;
            foreach (char o in octal)
            {
                if (o is < '0' or > '7')
                {
                    return false;
                }

                value = (value * 8) + (o - '0');
            }

            if (value > 255)
            {
                return false;
            }

            bytes.Add((byte)value);
            i += 4;
            return true;
        }

        return false;
    }

    private static bool Hex(string s, ref int i, int digits, List<byte> bytes, bool asRune)
    {
        if (i + 2 + digits > s.Length
            || !uint.TryParse(s.AsSpan(i + 2, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint value))
        {
            return false;
        }

        if (!asRune)
        {
            bytes.Add((byte)value);
        }
        else
        {
            if (!Rune.IsValid(value))
            {
                return false;
            }

            bytes.AddRange(Encoding.UTF8.GetBytes(new Rune(value).ToString()));
        }

        i += 2 + digits;
        return true;
    }
}
