namespace Etcd.Server.V2.Store;

/// <summary>
/// An error of etcd's v2 API: the numeric code and message clients match on, the cause (usually
/// the key), the store index at the time, and the HTTP status it is answered with.
/// </summary>
public sealed class V2Error(int code, string cause, ulong index) : Exception(MessageOf(code) + " (" + cause + ")")
{
    public const int KeyNotFound = 100;
    public const int TestFailed = 101;
    public const int NotFile = 102;
    public const int NotDir = 104;
    public const int NodeExist = 105;
    public const int RootReadOnly = 107;
    public const int DirNotEmpty = 108;
    public const int Unauthorized = 110;
    public const int PrevValueRequired = 201;
    public const int TtlNaN = 202;
    public const int IndexNaN = 203;
    public const int InvalidField = 209;
    public const int InvalidForm = 210;
    public const int RefreshValue = 211;
    public const int RefreshTtlRequired = 212;
    public const int RaftInternal = 300;
    public const int LeaderElect = 301;
    public const int EventIndexCleared = 401;

    public int Code { get; } = code;
    public string Cause { get; set; } = cause;
    public ulong Index { get; set; } = index;

    /// <summary>
    /// etcd counts some failures as successes in /v2/stats/store (the error is returned without
    /// reaching its counting code): read-only root writes, and the not-a-file and compare
    /// failures of compare-and-delete and update. Kept so the counters match etcd's.
    /// </summary>
    internal bool CountedAsSuccess { get; init; }

    /// <summary>An error about the request itself, found before it reached the store (index 0).</summary>
    public static V2Error Request(int code, string cause) => new(code, cause, 0);

    /// <summary>etcd's message for each code (the wording clients compare against).</summary>
    public static string MessageOf(int code) => code switch
    {
        KeyNotFound => "Key not found",
        TestFailed => "Compare failed",
        NotFile => "Not a file",
        103 => "Reached the max number of peers in the cluster",
        NotDir => "Not a directory",
        NodeExist => "Key already exists",
        106 => "The prefix of given key is a keyword in etcd",
        RootReadOnly => "Root is read only",
        DirNotEmpty => "Directory not empty",
        109 => "Peer address has existed",
        Unauthorized => "The request requires user authentication",
        200 => "Value is Required in POST form",
        PrevValueRequired => "PrevValue is Required in POST form",
        TtlNaN => "The given TTL in POST form is not a number",
        IndexNaN => "The given index in POST form is not a number",
        204 => "Value or TTL is required in POST form",
        205 => "The given timeout in POST form is not a number",
        206 => "Name is required in POST form",
        207 => "Index or value is required",
        208 => "Index and value cannot both be specified",
        InvalidField => "Invalid field",
        InvalidForm => "Invalid POST form",
        RefreshValue => "Value provided on refresh",
        RefreshTtlRequired => "A TTL must be provided on refresh",
        RaftInternal => "Raft Internal Error",
        LeaderElect => "During Leader Election",
        400 => "watcher is cleared due to etcd recovery",
        EventIndexCleared => "The event in requested index is outdated and cleared",
        402 => "Standby Internal Error",
        403 => "Invalid active size",
        404 => "Standby remove delay",
        500 => "Client Internal Error",
        _ => "",
    };

    /// <summary>The HTTP status etcd answers this error with; 400 unless listed.</summary>
    public int HttpStatus => Code switch
    {
        KeyNotFound => 404,
        NotFile or DirNotEmpty => 403,
        Unauthorized => 401,
        TestFailed or NodeExist => 412,
        RaftInternal or LeaderElect => 500,
        _ => 400,
    };
}
