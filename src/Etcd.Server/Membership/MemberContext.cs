using System.Text.Json;
using System.Text.Json.Serialization;

namespace Etcd.Server.Membership;

/// <summary>
/// The member record carried in a configuration-change entry's context, as etcd's JSON
/// ({"id":..,"peerURLs":[..],"name":..,"clientURLs":[..],"isLearner":..}), so that the entry
/// alone says who joins.
/// </summary>
public sealed class MemberContext
{
    [JsonPropertyName("id")] public ulong Id { get; set; }
    [JsonPropertyName("peerURLs")] public List<string> PeerUrls { get; set; } = [];
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("clientURLs")] public List<string>? ClientUrls { get; set; }
    [JsonPropertyName("isLearner")] public bool IsLearner { get; set; }

    /// <summary>Set in the context of a MemberPromote's change (etcd's ConfigChangeContext.IsPromote).</summary>
    [JsonPropertyName("isPromote")] public bool IsPromote { get; set; }

    public static MemberContext From(Member member) => new()
    {
        Id = member.Id,
        PeerUrls = [.. member.PeerUrls],
        Name = member.Name.Length > 0 ? member.Name : null,
        ClientUrls = member.ClientUrls.Count > 0 ? [.. member.ClientUrls] : null,
        IsLearner = member.IsLearner,
    };

    public Member ToMember() => new()
    {
        Id = Id,
        Name = Name ?? "",
        PeerUrls = PeerUrls,
        ClientUrls = ClientUrls ?? [],
        IsLearner = IsLearner,
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, MemberJsonContext.Default.MemberContext);

    public static MemberContext? FromJson(ReadOnlySpan<byte> json) =>
        json.IsEmpty ? null : JsonSerializer.Deserialize(json, MemberJsonContext.Default.MemberContext);
}

[JsonSerializable(typeof(MemberContext))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
internal sealed partial class MemberJsonContext : JsonSerializerContext;
