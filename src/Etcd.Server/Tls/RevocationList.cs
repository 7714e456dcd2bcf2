using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Etcd.Server.Tls;

/// <summary>
/// --client-crl-file / --peer-crl-file: the serial numbers a CRL revokes. etcd reads the file on
/// each connection and refuses a caller when any certificate of its chain has a revoked serial;
/// here the file is re-read only when it changed. The CRL's own signature is not checked (etcd
/// does not check it either): whoever can write the file decides.
/// </summary>
public sealed class RevocationList
{
    private readonly string _file;
    private readonly Lock _reload = new();
    private volatile Snapshot _current;

    private sealed record Snapshot(HashSet<BigInteger> Serials, FileStamp Stamp);

    /// <exception cref="TlsFileException">The file cannot be read or parsed.</exception>
    public RevocationList(string file)
    {
        _file = file;
        var stamp = FileStamp.Of(file);
        _current = new Snapshot(Parse(PemFiles.ReadBytes(file), file), stamp);
    }

    /// <summary>Why the chain is refused, or null. A list that became unreadable refuses everyone, as etcd does.</summary>
    public string? Check(X509Certificate2 leaf, X509Chain? chain)
    {
        HashSet<BigInteger> serials;
        try
        {
            serials = Current();
        }
        catch (TlsFileException e)
        {
            return e.Message;
        }
        if (serials.Count == 0) return null;
        if (IsRevoked(serials, leaf)) return $"transport: certificate serial {leaf.SerialNumber.ToLowerInvariant()} revoked";
        if (chain is null) return null;
        foreach (var element in chain.ChainElements)
        {
            if (IsRevoked(serials, element.Certificate))
                return $"transport: certificate serial {element.Certificate.SerialNumber.ToLowerInvariant()} revoked";
        }
        return null;
    }

    private static bool IsRevoked(HashSet<BigInteger> serials, X509Certificate2 certificate) =>
        serials.Contains(new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: true, isBigEndian: true));

    private HashSet<BigInteger> Current()
    {
        var current = _current;
        var stamp = FileStamp.Of(_file);
        if (stamp == current.Stamp) return current.Serials;
        lock (_reload)
        {
            if (stamp == _current.Stamp) return _current.Serials;
            var serials = Parse(PemFiles.ReadBytes(_file), _file);
            _current = new Snapshot(serials, stamp);
            return serials;
        }
    }

    /// <summary>The revoked serials of a CRL in DER or PEM ("X509 CRL").</summary>
    public static HashSet<BigInteger> Parse(byte[] content, string file)
    {
        try
        {
            var der = Pem(content) ?? content;
            var serials = new HashSet<BigInteger>();
            var list = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var tbs = list.ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer)) tbs.ReadInteger(); // version
            tbs.ReadSequence(); // signature algorithm
            tbs.ReadSequence(); // issuer
            ReadTime(tbs); // thisUpdate
            if (tbs.HasData && IsTime(tbs.PeekTag())) ReadTime(tbs); // nextUpdate
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var revoked = tbs.ReadSequence();
                while (revoked.HasData)
                {
                    var entry = revoked.ReadSequence();
                    serials.Add(entry.ReadInteger());
                }
            }
            return serials;
        }
        catch (AsnContentException e)
        {
            throw new TlsFileException($"x509: failed to parse CRL ({file}): {e.Message}", e);
        }
    }

    private static bool IsTime(Asn1Tag tag) => tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static void ReadTime(AsnReader reader)
    {
        if (reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime)) reader.ReadUtcTime();
        else reader.ReadGeneralizedTime();
    }

    private static byte[]? Pem(byte[] content)
    {
        var text = System.Text.Encoding.ASCII.GetString(content);
        var fields = PemEncoding.TryFind(text, out var found) ? found : default;
        if (fields.Location.End.Value == 0) return null;
        return Convert.FromBase64String(text[fields.Base64Data]);
    }
}
