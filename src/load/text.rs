//! Message content as sources store it: a string, null, an array of content parts, or an
//! object. Deserialised straight into one `String`, without building a JSON tree.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// Text content: strings as they are; `null` as empty; content-part arrays joined (text parts
/// by their `text`, other parts as `[type]`); any other value as compact JSON.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor).map(Text)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, null, or a list of content parts")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
        let mut out = String::new();
        while let Some(part) = seq.next_element::<Part>()? {
            let piece = match part {
                Part::Text(t) => t,
                Part::Other(kind) => format!("[{kind}]"),
            };
            if piece.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&piece);
        }
        Ok(out)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<String, A::Error> {
        let value = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(value.to_string())
    }
}

/// One element of a content-part array.
enum Part {
    Text(String),
    Other(String),
}

impl<'de> Deserialize<'de> for Part {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PartVisitor;
        impl<'de> Visitor<'de> for PartVisitor {
            type Value = Part;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a content part")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Part, E> {
                Ok(Part::Text(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Part, E> {
                Ok(Part::Text(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Part, E> {
                Ok(Part::Text(String::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Part, A::Error> {
                let mut kind = None;
                let mut text = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "type" => kind = Some(map.next_value::<String>()?),
                        "text" | "content" => text = Some(map.next_value::<Text>()?.0),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(match text {
                    Some(t) => Part::Text(t),
                    None => Part::Other(kind.unwrap_or_else(|| "part".into())),
                })
            }
        }
        deserializer.deserialize_any(PartVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(json: &str) -> String {
        serde_json::from_str::<Text>(json).unwrap().0
    }

    #[test]
    fn reads_every_content_shape() {
        assert_eq!(text(r#""a\nb""#), "a\nb");
        assert_eq!(text("null"), "");
        assert_eq!(
            text(r#"[{"type":"text","text":"one"},{"type":"image_url","image_url":{}},"two"]"#),
            "one\n[image_url]\ntwo"
        );
        assert_eq!(text(r#"{"b":1}"#), r#"{"b":1}"#);
        assert_eq!(text("3"), "3");
    }
}
