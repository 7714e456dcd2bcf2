using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Etcd.Server.JsonGateway;

/// <summary>
/// Reads a message from JSON as etcd's gateway does (golang/protobuf's jsonpb, unknown fields
/// allowed): fields by proto or JSON name, integers as numbers or strings (parsed exactly, so
/// 64-bit lease ids survive), bytes as base64, enums by name or number, null as unset.
/// </summary>
public static class ProtoJsonReader
{
    public static IMessage Parse(ReadOnlySpan<byte> json, MessageDescriptor descriptor)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var message = descriptor.Parser.ParseFrom(ByteString.Empty);
        if (!reader.Read()) throw new FormatException("unexpected end of JSON input");
        if (reader.TokenType != JsonTokenType.Null) ReadObject(ref reader, message);
        return message;
    }

    private static void ReadObject(ref Utf8JsonReader reader, IMessage message)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new FormatException($"json: cannot unmarshal {Describe(reader.TokenType)} into Go value of type {message.Descriptor.FullName}");
        var fields = message.Descriptor.Fields;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            var field = fields.InDeclarationOrder().FirstOrDefault(f => f.Name == name || f.JsonName == name);
            Next(ref reader);
            if (field is null || reader.TokenType == JsonTokenType.Null)
            {
                reader.Skip();
                continue;
            }
            if (field.IsRepeated)
            {
                if (reader.TokenType != JsonTokenType.StartArray)
                    throw new FormatException($"json: cannot unmarshal {Describe(reader.TokenType)} into field {name} of type array");
                var list = (IList)field.Accessor.GetValue(message);
                while (Next(ref reader) != JsonTokenType.EndArray) list.Add(ReadValue(ref reader, field));
                continue;
            }
            field.Accessor.SetValue(message, ReadValue(ref reader, field));
        }
    }

    private static object ReadValue(ref Utf8JsonReader reader, FieldDescriptor field)
    {
        switch (field.FieldType)
        {
            case FieldType.Message or FieldType.Group:
                var nested = field.MessageType.Parser.ParseFrom(ByteString.Empty);
                ReadObject(ref reader, nested);
                return nested;
            case FieldType.Bool:
                return reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => throw Mismatch(reader, field),
                };
            case FieldType.String:
                return reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw Mismatch(reader, field);
            case FieldType.Bytes:
                return reader.TokenType == JsonTokenType.String ? Base64(reader.GetString()!, field) : throw Mismatch(reader, field);
            case FieldType.Enum:
                if (reader.TokenType == JsonTokenType.String)
                {
                    var name = reader.GetString()!;
                    return field.EnumType.FindValueByName(name)?.Number
                        ?? throw new FormatException($"unknown value \"{name}\" for enum {field.EnumType.FullName}");
                }
                return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number) ? number : throw Mismatch(reader, field);
            case FieldType.Double:
                return double.Parse(Number(ref reader, field), CultureInfo.InvariantCulture);
            case FieldType.Float:
                return float.Parse(Number(ref reader, field), CultureInfo.InvariantCulture);
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64:
                return Integer(long.TryParse(Number(ref reader, field), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l), l, reader, field);
            case FieldType.UInt64 or FieldType.Fixed64:
                return Integer(ulong.TryParse(Number(ref reader, field), NumberStyles.None, CultureInfo.InvariantCulture, out var ul), ul, reader, field);
            case FieldType.UInt32 or FieldType.Fixed32:
                return Integer(uint.TryParse(Number(ref reader, field), NumberStyles.None, CultureInfo.InvariantCulture, out var ui), ui, reader, field);
            default:
                return Integer(int.TryParse(Number(ref reader, field), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i), i, reader, field);
        }
    }

    // jsonpb takes a number either bare or quoted; the digits are parsed as text, never through a double.
    private static string Number(ref Utf8JsonReader reader, FieldDescriptor field) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString()!,
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
        _ => throw Mismatch(reader, field),
    };

    private static object Integer<T>(bool parsed, T value, Utf8JsonReader reader, FieldDescriptor field) where T : notnull =>
        parsed ? value : throw Mismatch(reader, field);

    // Go's encoding/base64: the standard alphabet, and the URL-safe one when that fails.
    private static ByteString Base64(string text, FieldDescriptor field)
    {
        try
        {
            return ByteString.CopyFrom(Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/')));
        }
        catch (FormatException)
        {
            throw new FormatException($"bad Base64 data for field {field.Name}");
        }
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new FormatException("unexpected end of JSON input");

    private static FormatException Mismatch(Utf8JsonReader reader, FieldDescriptor field) =>
        new($"json: cannot unmarshal {Describe(reader.TokenType)} into Go value of type {GoType(field)}");

    private static string GoType(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => "int64",
        FieldType.UInt64 or FieldType.Fixed64 => "uint64",
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => "int32",
        FieldType.UInt32 or FieldType.Fixed32 => "uint32",
        FieldType.Bytes => "[]uint8",
        FieldType.Enum => field.EnumType.FullName,
        FieldType.Double => "float64",
        FieldType.Float => "float32",
        _ => field.FieldType.ToString().ToLowerInvariant(),
    };

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "bool",
        JsonTokenType.StartArray => "array",
        JsonTokenType.StartObject => "object",
        _ => token.ToString().ToLowerInvariant(),
    };
}
