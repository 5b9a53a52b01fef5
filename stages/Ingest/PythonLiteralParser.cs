using System.Globalization;
using System.Text;

namespace CrossDomain.Stages.Ingest;

/// <summary>
/// Parses one Python literal (what <c>repr()</c> of a dict prints, as in the 2014 Amazon metadata): strings in
/// single or double quotes with Python escapes, numbers, True/False/None, lists, tuples and dicts. JSON's
/// true/false/null are accepted too, so strict-JSON metadata lines go through the same reader.
/// Returns Dictionary&lt;string, object?&gt;, List&lt;object?&gt;, string, long, double, bool or null.
/// </summary>
public ref struct PythonLiteralParser
{
    private readonly ReadOnlySpan<char> _s;
    private int _i;

    private PythonLiteralParser(ReadOnlySpan<char> s) { _s = s; _i = 0; }

    public static object? Parse(ReadOnlySpan<char> text)
    {
        var p = new PythonLiteralParser(text);
        var value = p.ParseValue();
        p.SkipSpace();
        if (p._i != p._s.Length) throw p.Error("unexpected text after the value");
        return value;
    }

    private object? ParseValue()
    {
        SkipSpace();
        if (_i >= _s.Length) throw Error("unexpected end of line");
        var c = _s[_i];
        switch (c)
        {
            case '{': return ParseDict();
            case '[': return ParseList(']');
            case '(': return ParseList(')');
            case '\'' or '"': return ParseString();
            case 'u' or 'U' or 'b' or 'B' when _i + 1 < _s.Length && _s[_i + 1] is '\'' or '"':
                _i++;
                return ParseString();
        }
        if (c == '-' || c == '+' || c == '.' || char.IsAsciiDigit(c)) return ParseNumber();
        var word = ReadWord();
        return word switch
        {
            "True" or "true" => true,
            "False" or "false" => false,
            "None" or "null" => null,
            "nan" or "NaN" => double.NaN,
            _ => throw Error(word.Length == 0 ? $"unexpected character '{c}'" : $"unknown name '{word}'"),
        };
    }

    private Dictionary<string, object?> ParseDict()
    {
        _i++; // {
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        SkipSpace();
        if (Peek() == '}') { _i++; return dict; }
        while (true)
        {
            var key = ParseValue();
            var name = key switch { string s => s, null => "None", _ => Convert.ToString(key, CultureInfo.InvariantCulture)! };
            SkipSpace();
            Expect(':');
            dict[name] = ParseValue();
            SkipSpace();
            if (Peek() == ',') { _i++; SkipSpace(); if (Peek() == '}') { _i++; return dict; } continue; }
            if (Peek() == '}') { _i++; return dict; }
            throw Error("expected ',' or '}' in dict");
        }
    }

    private List<object?> ParseList(char close)
    {
        _i++;
        var list = new List<object?>();
        SkipSpace();
        if (Peek() == close) { _i++; return list; }
        while (true)
        {
            list.Add(ParseValue());
            SkipSpace();
            if (Peek() == ',') { _i++; SkipSpace(); if (Peek() == close) { _i++; return list; } continue; }
            if (Peek() == close) { _i++; return list; }
            throw Error($"expected ',' or '{close}'");
        }
    }

    private string ParseString()
    {
        var quote = _s[_i++];
        // Most strings have no escape: take them in one slice.
        var rest = _s[_i..];
        var stop = rest.IndexOfAny(quote, '\\');
        if (stop >= 0 && rest[stop] == quote)
        {
            _i += stop + 1;
            return rest[..stop].ToString();
        }
        var sb = new StringBuilder();
        while (true)
        {
            if (_i >= _s.Length) throw Error("unterminated string");
            var c = _s[_i++];
            if (c == quote) return sb.ToString();
            if (c != '\\') { sb.Append(c); continue; }
            if (_i >= _s.Length) throw Error("unterminated escape");
            var e = _s[_i++];
            switch (e)
            {
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case '/': sb.Append('/'); break; // JSON
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case 'a': sb.Append('\a'); break;
                case '\n': break; // line continuation
                case 'x': sb.Append((char)Hex(2)); break;
                case 'u': sb.Append((char)Hex(4)); break;
                case 'U': sb.Append(char.ConvertFromUtf32(Hex(8))); break;
                case >= '0' and <= '7':
                    int value = e - '0';
                    for (int k = 0; k < 2 && _i < _s.Length && _s[_i] is >= '0' and <= '7'; k++) value = value * 8 + (_s[_i++] - '0');
                    sb.Append((char)value);
                    break;
                default: sb.Append('\\').Append(e); break; // Python keeps unknown escapes verbatim
            }
        }
    }

    private int Hex(int digits)
    {
        if (_i + digits > _s.Length || !int.TryParse(_s.Slice(_i, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v))
            throw Error("bad hex escape");
        _i += digits;
        return v;
    }

    private object ParseNumber()
    {
        var start = _i;
        if (_s[_i] is '-' or '+') _i++;
        while (_i < _s.Length && (char.IsAsciiDigit(_s[_i]) || _s[_i] is '.' or 'e' or 'E' or '_' ||
               (_s[_i] is '-' or '+' && _s[_i - 1] is 'e' or 'E'))) _i++;
        var text = _s[start.._i];
        if (text.IndexOfAny('.', 'e', 'E') < 0 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        throw Error($"bad number '{text}'");
    }

    private string ReadWord()
    {
        var start = _i;
        while (_i < _s.Length && char.IsAsciiLetter(_s[_i])) _i++;
        return _s[start.._i].ToString();
    }

    private void SkipSpace()
    {
        while (_i < _s.Length && char.IsWhiteSpace(_s[_i])) _i++;
    }

    private char Peek() => _i < _s.Length ? _s[_i] : '\0';

    private void Expect(char c)
    {
        if (Peek() != c) throw Error($"expected '{c}'");
        _i++;
    }

    private FormatException Error(string message) => new($"{message} at column {_i + 1}");
}
