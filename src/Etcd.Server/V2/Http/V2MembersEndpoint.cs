using System.Globalization;
using System.Text;
using System.Text.Json;
using Etcd.Server.Api;
using Etcd.Server.Core;
using Etcd.Server.JsonGateway;
using Etcd.Server.Membership;
using Grpc.Core;

namespace Etcd.Server.V2.Http;

/// <summary>
/// /v2/members: the member list (GET), the leader (GET /leader), and member add (POST),
/// remove (DELETE /id) and peer URL update (PUT /id) through the same changes the Cluster API makes.
/// </summary>
public sealed class V2MembersEndpoint(EtcdServer server)
{
    private const string Prefix = "/v2/members";

    public async Task HandleAsync(HttpContext context)
    {
        if (V2Answers.RefuseMethod(context, "GET,POST,DELETE,PUT", out var refused))
        {
            await refused.ConfigureAwait(false);
            return;
        }
        context.Response.Headers[V2Answers.ClusterIdHeader] = V2Answers.Hex(server.ClusterId);
        var rest = (context.Request.Path.Value ?? "")[Prefix.Length..].TrimStart('/');
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(server.RequestTimeout);
        try
        {
            switch (context.Request.Method)
            {
                case "GET":
                    await GetAsync(context, rest).ConfigureAwait(false);
                    break;
                case "POST":
                    if (await PeerUrlsAsync(context) is not { } added) return;
                    var member = await server.MembershipChanges.AddAsync(added, isLearner: false, timeout.Token).ConfigureAwait(false);
                    await V2Answers.JsonAsync(context, 201, MemberJson(new StringBuilder(), member).Append('\n').ToString()).ConfigureAwait(false);
                    break;
                case "DELETE":
                    if (await IdAsync(context, rest) is not { } removed) return;
                    if (server.Members.IsRemoved(removed))
                    {
                        await V2Answers.MessageAsync(context, 410, $"Member permanently removed: {V2Answers.Hex(removed)}").ConfigureAwait(false);
                        return;
                    }
                    await server.MembershipChanges.RemoveAsync(removed, timeout.Token).ConfigureAwait(false);
                    context.Response.StatusCode = 204;
                    break;
                case "PUT":
                    if (await IdAsync(context, rest) is not { } updated || await PeerUrlsAsync(context) is not { } urls) return;
                    await server.MembershipChanges.UpdateAsync(updated, urls, timeout.Token).ConfigureAwait(false);
                    context.Response.StatusCode = 204;
                    break;
            }
        }
        catch (EtcdException e)
        {
            await AnswerFailureAsync(context, e, rest).ConfigureAwait(false);
        }
    }

    private async Task GetAsync(HttpContext context, string rest)
    {
        switch (rest)
        {
            case "":
                var text = new StringBuilder("{\"members\":[");
                var first = true;
                foreach (var member in server.Members.All.OrderBy(m => m.Id))
                {
                    if (!first) text.Append(',');
                    first = false;
                    MemberJson(text, member);
                }
                await V2Answers.JsonAsync(context, 200, text.Append("]}\n").ToString()).ConfigureAwait(false);
                return;
            case "leader":
                if (server.Raft.Leader == 0 || server.Members.Find(server.Raft.Leader) is not { } leader)
                {
                    await V2Answers.MessageAsync(context, 503, "During election").ConfigureAwait(false);
                    return;
                }
                await V2Answers.JsonAsync(context, 200, MemberJson(new StringBuilder(), leader).Append('\n').ToString()).ConfigureAwait(false);
                return;
            default:
                await V2Answers.MessageAsync(context, 404, "Not found").ConfigureAwait(false);
                return;
        }
    }

    // etcd's failures of a membership change, by what went wrong.
    private static Task AnswerFailureAsync(HttpContext context, EtcdException e, string rest)
    {
        var detail = e.Message;
        if (detail == EtcdErrors.MemberExist.Message) return V2Answers.MessageAsync(context, 409, "membership: ID exists");
        if (detail == EtcdErrors.PeerURLExist.Message) return V2Answers.MessageAsync(context, 409, "membership: peerURL exists");
        if (detail == EtcdErrors.MemberNotFound.Message) return V2Answers.MessageAsync(context, 404, $"No such member: {rest}");
        return V2Answers.MessageAsync(context, 500, "Internal Server Error");
    }

    private static async Task<ulong?> IdAsync(HttpContext context, string rest)
    {
        if (rest.Length == 0)
        {
            await V2Answers.PlainErrorAsync(context, 405, "Method Not Allowed").ConfigureAwait(false);
            return null;
        }
        if (!ulong.TryParse(rest, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id))
        {
            await V2Answers.MessageAsync(context, 404, $"No such member: {rest}").ConfigureAwait(false);
            return null;
        }
        return id;
    }

    /// <summary>The body's {"peerURLs":[...]}, or null after answering etcd's error for a bad body.</summary>
    private static async Task<IReadOnlyList<string>?> PeerUrlsAsync(HttpContext context)
    {
        var contentType = context.Request.ContentType ?? "";
        var semicolon = contentType.IndexOf(';');
        if (semicolon >= 0) contentType = contentType[..semicolon].Trim().ToLowerInvariant();
        if (contentType != "application/json")
        {
            await V2Answers.MessageAsync(context, 415, $"Bad Content-Type {contentType}, accept application/json").ConfigureAwait(false);
            return null;
        }
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body).ConfigureAwait(false);
            var urls = new List<string>();
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("peerURLs", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var url in list.EnumerateArray()) urls.Add(url.GetString() ?? "");
            }
            if (PeerUrlList.Parse(urls) is null) throw new JsonException("URL address does not have the form \"host:port\"");
            return urls;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            await V2Answers.MessageAsync(context, 400, e.Message).ConfigureAwait(false);
            return null;
        }
    }

    // etcd's v2 member JSON: id, name, peerURLs, clientURLs (lists never null).
    private static StringBuilder MemberJson(StringBuilder text, Member member)
    {
        text.Append("{\"id\":\"").Append(V2Answers.Hex(member.Id)).Append("\",\"name\":");
        GoJsonString.Append(text, member.Name);
        text.Append(",\"peerURLs\":");
        List(text, member.PeerUrls);
        text.Append(",\"clientURLs\":");
        List(text, member.ClientUrls);
        return text.Append('}');
    }

    private static void List(StringBuilder text, IReadOnlyList<string> items)
    {
        text.Append('[');
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) text.Append(',');
            GoJsonString.Append(text, items[i]);
        }
        text.Append(']');
    }
}
