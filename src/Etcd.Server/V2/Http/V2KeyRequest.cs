using System.Globalization;
using Etcd.Api.Etcdserverpb;
using Etcd.Server.V2.Store;
using Microsoft.Extensions.Primitives;

namespace Etcd.Server.V2.Http;

/// <summary>
/// Turns a /v2/keys request into etcd's Request as etcd's parseKeyRequest does: the key under
/// the "/1" namespace, the form fields (body first, then query, as Go's r.Form orders them),
/// each checked with etcd's error for a bad value, and a TTL turned into an absolute expiry by
/// this member's clock.
/// </summary>
public static class V2KeyRequest
{
    public const string KeysPrefix = "/v2/keys";
    public const string StoreKeysPrefix = "/1";

    public readonly record struct Parsed(Request Request, bool NoValueOnSuccess);

    public static async Task<Parsed> ParseAsync(HttpRequest http, string decodedPath, long nowNanos)
    {
        var form = await FormOf(http).ConfigureAwait(false);
        StringValues Get(string name)
        {
            if (form is not null && form.TryGetValue(name, out var fromBody) && fromBody.Count > 0) return fromBody;
            return http.Query.TryGetValue(name, out var fromQuery) ? fromQuery : StringValues.Empty;
        }
        bool Has(string name) => Get(name).Count > 0;
        string Value(string name) => Get(name) is { Count: > 0 } values ? values[0] ?? "" : "";

        if (!decodedPath.StartsWith(KeysPrefix, StringComparison.Ordinal))
            throw V2Error.Request(V2Error.InvalidForm, "incorrect key prefix");
        var path = GoPath.Join(StoreKeysPrefix, decodedPath[KeysPrefix.Length..]);

        var prevIndex = Uint(Has("prevIndex"), Value("prevIndex"), V2Error.IndexNaN, "invalid value for \"prevIndex\"");
        var waitIndex = Uint(Has("waitIndex"), Value("waitIndex"), V2Error.IndexNaN, "invalid value for \"waitIndex\"");
        var recursive = Bool(Has("recursive"), Value("recursive"), "invalid value for \"recursive\"");
        var sorted = Bool(Has("sorted"), Value("sorted"), "invalid value for \"sorted\"");
        var wait = Bool(Has("wait"), Value("wait"), "invalid value for \"wait\"");
        var dir = Bool(Has("dir"), Value("dir"), "invalid value for \"dir\"");
        var quorum = Bool(Has("quorum"), Value("quorum"), "invalid value for \"quorum\"");
        var stream = Bool(Has("stream"), Value("stream"), "invalid value for \"stream\"");
        if (wait && http.Method != "GET") throw V2Error.Request(V2Error.InvalidField, "\"wait\" can only be used with GET requests");
        var prevValue = Value("prevValue");
        if (Has("prevValue") && prevValue.Length == 0) throw V2Error.Request(V2Error.PrevValueRequired, "\"prevValue\" cannot be empty");
        var noValueOnSuccess = Bool(Has("noValueOnSuccess"), Value("noValueOnSuccess"), "invalid value for \"noValueOnSuccess\"");
        ulong? ttl = Value("ttl").Length > 0 ? Uint(true, Value("ttl"), V2Error.TtlNaN, "invalid value for \"ttl\"") : null;
        bool? prevExist = Has("prevExist") ? Bool(true, Value("prevExist"), "invalid value for prevExist") : null;
        bool? refresh = null;
        if (Has("refresh"))
        {
            refresh = Bool(true, Value("refresh"), "invalid value for refresh");
            if (refresh == true)
            {
                if (Has("value") && Value("value").Length > 0) throw V2Error.Request(V2Error.RefreshValue, "A value was provided on a refresh");
                if (ttl is null) throw V2Error.Request(V2Error.RefreshTtlRequired, "No TTL value set");
            }
        }

        var request = new Request
        {
            Method = http.Method,
            Path = path,
            Val = Value("value"),
            Dir = dir,
            PrevValue = prevValue,
            PrevIndex = prevIndex,
            Wait = wait,
            Since = waitIndex,
            Recursive = recursive,
            Sorted = sorted,
            Quorum = quorum,
            Stream = stream,
        };
        if (prevExist is { } exists) request.PrevExist = exists;
        if (refresh is { } renew) request.Refresh = renew;
        if (ttl is { } seconds) request.Expiration = nowNanos + (long)seconds * 1_000_000_000;
        return new Parsed(request, noValueOnSuccess);
    }

    // Go parses a form body only for POST, PUT and PATCH with a form content type.
    private static async Task<IFormCollection?> FormOf(HttpRequest http)
    {
        if (http.Method is not ("POST" or "PUT" or "PATCH") || !http.HasFormContentType) return null;
        try
        {
            return await http.ReadFormAsync().ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw V2Error.Request(V2Error.InvalidForm, e.Message);
        }
    }

    private static ulong Uint(bool present, string text, int code, string cause)
    {
        if (!present) return 0;
        if (text.Length == 0 || text[0] is '+' or '-' || !ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw V2Error.Request(code, cause);
        return value;
    }

    // Go's strconv.ParseBool.
    private static bool Bool(bool present, string text, string cause)
    {
        if (!present) return false;
        return text switch
        {
            "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
            "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
            _ => throw V2Error.Request(V2Error.InvalidField, cause),
        };
    }
}
