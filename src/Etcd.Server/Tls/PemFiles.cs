using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Etcd.Server.Tls;

/// <summary>Reads certificates and keys from PEM files, with errors that name the file (Go's wording where etcd has one).</summary>
public static class PemFiles
{
    /// <summary>The certificate with its private key, and any further certificates in the file (the chain to send).</summary>
    public static (X509Certificate2 Leaf, X509Certificate2Collection Chain) LoadKeyPair(string certFile, string keyFile)
    {
        var certText = ReadText(certFile);
        var keyText = ReadText(keyFile);
        var all = new X509Certificate2Collection();
        try
        {
            all.ImportFromPem(certText);
        }
        catch (CryptographicException e)
        {
            throw new TlsFileException($"tls: failed to parse certificate PEM data ({certFile}): {e.Message}", e);
        }
        if (all.Count == 0) throw new TlsFileException($"tls: failed to find any PEM data in certificate input ({certFile})");
        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPem(certText, keyText);
        }
        catch (CryptographicException e)
        {
            var reason = keyText.Contains("PRIVATE KEY-----", StringComparison.Ordinal)
                ? "tls: private key does not match public key or cannot be parsed"
                : "tls: failed to find any PEM data in key input";
            throw new TlsFileException($"{reason} (cert {certFile}, key {keyFile}): {e.Message}", e);
        }
        var chain = new X509Certificate2Collection();
        for (var i = 1; i < all.Count; i++) chain.Add(all[i]);
        all[0].Dispose();
        return (leaf, chain);
    }

    /// <summary>Every certificate in a CA bundle.</summary>
    public static X509Certificate2Collection LoadBundle(string file)
    {
        var text = ReadText(file);
        var bundle = new X509Certificate2Collection();
        try
        {
            bundle.ImportFromPem(text);
        }
        catch (CryptographicException e)
        {
            throw new TlsFileException($"failed to parse CA certificates ({file}): {e.Message}", e);
        }
        if (bundle.Count == 0) throw new TlsFileException($"failed to find any PEM data in CA input ({file})");
        return bundle;
    }

    public static byte[] ReadBytes(string file)
    {
        try
        {
            return File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlsFileException(OpenError(file, e), e);
        }
    }

    private static string ReadText(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlsFileException(OpenError(file, e), e);
        }
    }

    // Go's "open PATH: REASON", which etcd prints for a missing or unreadable file.
    private static string OpenError(string file, Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => $"open {file}: no such file or directory",
        UnauthorizedAccessException => $"open {file}: permission denied",
        _ => $"open {file}: {e.Message}",
    };
}
