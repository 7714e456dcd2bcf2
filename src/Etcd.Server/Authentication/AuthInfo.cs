namespace Etcd.Server.Authentication;

/// <summary>
/// Who sent a request and which auth store revision their token was checked at. Travels in the
/// Raft entry's header, so the applying members check the same identity; a revision of 0 means
/// no user was given.
/// </summary>
public sealed record AuthInfo(string Username, ulong Revision)
{
    /// <summary>No token: requests with it fail with "user name is empty" once auth is enabled.</summary>
    public static readonly AuthInfo Anonymous = new("", 0);
}
