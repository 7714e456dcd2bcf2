using System.Globalization;
using System.Text;
using Etcd.Server.JsonGateway;
using Etcd.Server.V2.Store;

namespace Etcd.Server.V2.Http;

/// <summary>The ways etcd's v2 handlers answer: JSON bodies, Go's http.Error texts, v2 errors and etcd's {"message":...} errors.</summary>
public static class V2Answers
{
    public const string ClusterIdHeader = "X-Etcd-Cluster-Id";

    public static string Hex(ulong id) => id.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="body"/> with its length (HEAD answers get the length and no body, as Go's server does).</summary>
    public static Task WriteAsync(HttpContext context, int status, string contentType, string body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentLength = bytes.Length;
        return context.Request.Method == "HEAD" ? Task.CompletedTask : response.Body.WriteAsync(bytes).AsTask();
    }

    public static Task JsonAsync(HttpContext context, int status, string body) => WriteAsync(context, status, "application/json", body);

    /// <summary>A v2 error: its index in X-Etcd-Index, its status, its JSON and a newline.</summary>
    public static Task ErrorAsync(HttpContext context, V2Error error)
    {
        context.Response.Headers.Append("X-Etcd-Index", error.Index.ToString(CultureInfo.InvariantCulture));
        return JsonAsync(context, error.HttpStatus, V2Json.Error(error));
    }

    /// <summary>etcd's HTTPError: {"message":"..."} without a newline.</summary>
    public static Task MessageAsync(HttpContext context, int status, string message)
    {
        var text = new StringBuilder("{\"message\":");
        GoJsonString.Append(text, message);
        return JsonAsync(context, status, text.Append('}').ToString());
    }

    /// <summary>Go's http.Error: plain text and a newline.</summary>
    public static Task PlainErrorAsync(HttpContext context, int status, string text)
    {
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        return WriteAsync(context, status, "text/plain; charset=utf-8", text + "\n");
    }

    public static Task NotFoundAsync(HttpContext context) => PlainErrorAsync(context, 404, "404 page not found");

    /// <summary>Answers 405 with the allowed methods unless the request's method is one of them.</summary>
    public static bool RefuseMethod(HttpContext context, string allowed, out Task answer)
    {
        var method = context.Request.Method;
        foreach (var name in allowed.Split(','))
        {
            if (name == method)
            {
                answer = Task.CompletedTask;
                return false;
            }
        }
        context.Response.Headers["Allow"] = allowed;
        answer = PlainErrorAsync(context, 405, "Method Not Allowed");
        return true;
    }
}
