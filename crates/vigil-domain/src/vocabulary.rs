//! Closed vocabularies: enumerations whose values travel as lower-case words (DATA.md).

/// Declares an enumeration together with the words that stand for its values in extracts,
/// forms and the API, so that the word list is written once and parsing, printing and the
/// "expected one of" message can never disagree.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $word:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The words that stand for the values, in declaration order.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            /// The word that stands for this value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            /// Reads the word for a value; anything else is refused with the list of words.
            pub fn parse(word: &str) -> Result<Self, $crate::ValueError> {
                match word {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::ValueError::new(format!(
                        "'{}' is not a known {}; expected one of: {}",
                        word,
                        $what,
                        Self::WORDS.join(", ")
                    ))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::ValueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

pub(crate) use vocabulary;
