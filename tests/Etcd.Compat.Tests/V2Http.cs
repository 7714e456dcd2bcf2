using System.Net.Http;
using System.Text.RegularExpressions;

namespace Etcd.Compat.Tests;

/// <summary>
/// One v2 HTTP exchange as a comparable text: status, content type, X-Etcd-Index and body, with
/// the expiry time blanked (each server computes it from its own clock).
/// </summary>
public static partial class V2Http
{
    public static async Task<string> CallAsync(HttpClient http, string endpoint, string method, string pathAndQuery, string? form = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), endpoint + pathAndQuery);
        if (form is not null) request.Content = new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var index = response.Headers.TryGetValues("X-Etcd-Index", out var values) ? string.Join(",", values) : "-";
        return $"{method} {pathAndQuery} -> {(int)response.StatusCode} {response.Content.Headers.ContentType} index={index}\n{Expiration().Replace(body, "\"expiration\":\"T\"")}";
    }

    [GeneratedRegex("\"expiration\":\"[^\"]*\"")]
    private static partial Regex Expiration();
}
