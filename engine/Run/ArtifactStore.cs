using CrossDomain.Engine.Graph;

namespace CrossDomain.Engine.Run;

/// <summary>
/// Temporary output folders and the move of finished outputs into place. A stage writes under
/// <c>artifacts/.tmp/</c>; only when it succeeds are its outputs renamed over the old ones (old ones go to
/// <c>artifacts/.trash/</c> first, with a note of where they came from, so a crash between two renames can be
/// undone on the next start). A killed stage therefore leaves the previous outputs and the lock untouched.
/// </summary>
public sealed class ArtifactStore(string artifactsRoot)
{
    private string TmpRoot => Path.Combine(artifactsRoot, ".tmp");
    private string TrashRoot => Path.Combine(artifactsRoot, ".trash");

    /// <summary>Removes leftovers of a killed run and puts back outputs that a crash left in the trash.</summary>
    public void Recover()
    {
        if (Directory.Exists(TrashRoot))
            foreach (var dir in Directory.GetDirectories(TrashRoot))
            {
                var note = Path.Combine(dir, "origins.tsv");
                if (File.Exists(note))
                    foreach (var line in File.ReadAllLines(note))
                    {
                        var parts = line.Split('\t');
                        if (parts.Length != 2) continue;
                        var (trashed, origin) = (Path.Combine(dir, parts[0]), parts[1]);
                        if (!File.Exists(origin) && !Directory.Exists(origin)) Move(trashed, origin);
                    }
                Directory.Delete(dir, recursive: true);
            }
        if (Directory.Exists(TmpRoot))
            foreach (var dir in Directory.GetDirectories(TmpRoot))
                if (!IsOwnedByLiveProcess(dir)) Directory.Delete(dir, recursive: true);
    }

    public string CreateTemp(string stage)
    {
        var dir = Path.Combine(TmpRoot, $"{stage}.{Environment.ProcessId}.{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void DeleteTemp(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { /* best effort: Recover() removes it next time */ }
    }

    /// <summary>Moves each (temporary, final) pair into place, old finals to the trash first.</summary>
    public void Commit(string stage, IReadOnlyList<(string Temp, string Final)> moves)
    {
        var trash = Path.Combine(TrashRoot, $"{stage}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(trash);
        var notes = new List<string>();
        for (int i = 0; i < moves.Count; i++)
            if (File.Exists(moves[i].Final) || Directory.Exists(moves[i].Final))
                notes.Add($"{i}\t{moves[i].Final}");
        File.WriteAllLines(Path.Combine(trash, "origins.tsv"), notes);
        for (int i = 0; i < moves.Count; i++)
        {
            var (temp, final) = moves[i];
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            if (File.Exists(final) || Directory.Exists(final)) Move(final, Path.Combine(trash, i.ToString()));
            Move(temp, final);
        }
        Directory.Delete(trash, recursive: true);
    }

    private static void Move(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        if (Directory.Exists(from)) Directory.Move(from, to);
        else File.Move(from, to);
    }

    private static bool IsOwnedByLiveProcess(string dir)
    {
        var parts = Path.GetFileName(dir).Split('.');
        if (parts.Length < 2 || !int.TryParse(parts[1], out var pid) || pid == Environment.ProcessId) return false;
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }
}
