using System.IO.Hashing;
using System.Text;

namespace CrossDomain.Providers.Caching;

/// <summary>
/// The key of a cached call (and of a memoised result): XXH128 over the length-prefixed parts, as 32 hex digits. Apart
/// from <see cref="CallCache"/> so that hashing a key never loads the cache's storage.
/// </summary>
public static class CallKey
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // hot on cached reruns: skip tier-0
    public static string Of(params string[] parts)
    {
        var hash = new XxHash128();
        Span<byte> length = stackalloc byte[4];
        foreach (var part in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BitConverter.TryWriteBytes(length, bytes.Length);
            hash.Append(length);
            hash.Append(bytes);
        }
        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }
}
