using System.Buffers;
using System.Globalization;
using System.Text;

namespace Etcd.Ctl.Output;

/// <summary>Go's fmt/strconv renderings that etcdctl's output depends on (%q, %x, %16x).</summary>
public static class GoText
{
    /// <summary>strconv.Quote of a Go string given as UTF-16 text.</summary>
    public static string QuoteString(string s) => Quote(Encoding.UTF8.GetBytes(s));

    /// <summary>strconv.Quote of raw bytes (a Go string(bytes)): invalid UTF-8 becomes \x escapes.</summary>
    public static string Quote(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length + 2);
        sb.Append('"');
        while (!bytes.IsEmpty)
        {
            OperationStatus status = Rune.DecodeFromUtf8(bytes, out Rune rune, out int consumed);
            if (status != OperationStatus.Done)
            {
                AppendHexByte(sb, bytes[0]);
                bytes = bytes[1..];
                continue;
            }

            bytes = bytes[consumed..];
            AppendEscaped(sb, rune, '"');
        }

        return sb.Append('"').ToString();
    }

    /// <summary>fmt's %q of a single character: 'x'.</summary>
    public static string QuoteRune(char c)
    {
        var sb = new StringBuilder(3);
        sb.Append('\'');
        AppendEscaped(sb, new Rune(c), '\'');
        return sb.Append('\'').ToString();
    }

    /// <summary>fmt's %x of an unsigned integer: lower-case hex, no padding.</summary>
    public static string Hex(ulong value) => value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>fmt's %016x: zero padded to 16 digits.</summary>
    public static string Hex16Zero(long value) => ((ulong)value).ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>fmt's %16x: space padded to 16 characters.</summary>
    public static string Hex16Space(ulong value) => value.ToString("x", CultureInfo.InvariantCulture).PadLeft(16);

    /// <summary>Invariant decimal text of an integer.</summary>
    public static string Dec(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Dec(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Go's %v of a bool.</summary>
    public static string Bool(bool value) => value ? "true" : "false";

    private static void AppendEscaped(StringBuilder sb, Rune rune, char quote)
    {
        int v = rune.Value;
        if (v == quote || v == '\\')
        {
            sb.Append('\\').Append((char)v);
            return;
        }

        if (IsPrint(rune))
        {
            sb.Append(rune.ToString());
            return;
        }

        switch (v)
        {
            case '\a': sb.Append("\\a"); return;
            case '\b': sb.Append("\\b"); return;
            case '\f': sb.Append("\\f"); return;
            case '\n': sb.Append("\\n"); return;
            case '\r': sb.Append("\\r"); return;
            case '\t': sb.Append("\\t"); return;
            case '\v': sb.Append("\\v"); return;
        }

        if (v < ' ' || v == 0x7f)
        {
            AppendHexByte(sb, (byte)v);
        }
        else if (v < 0x10000)
        {
            sb.Append("\\u").Append(v.ToString("x4", CultureInfo.InvariantCulture));
        }
        else
        {
            sb.Append("\\U").Append(v.ToString("x8", CultureInfo.InvariantCulture));
        }
    }

    private static void AppendHexByte(StringBuilder sb, byte b)
        => sb.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));

    // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static bool IsPrint(Rune rune)
    {
        if (rune.Value == ' ')
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
                or UnicodeCategory.OtherPunctuation
                or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol => true,
            _ => false,
        };
    }
}
