# From GraphiQL to an R data frame: page a macro connection with cursors, then read the same rows as an export.
#
# Run:  CENTRUM_URL=http://127.0.0.1:4000 CENTRUM_TOKEN=<token> CENTRUM_EXPERIMENT=<id> Rscript notebooks/centrum_notebook.R
# (`npm start` prints tokens; `npm run token -- <userId>` signs one.) Needs Debian's r-base-core, r-cran-httr and
# r-cran-jsonlite. Prints a JSON summary (what the test in test/notebooks/ compares with the server's own answers).
suppressPackageStartupMessages({
  library(httr)
  library(jsonlite)
})

url <- Sys.getenv("CENTRUM_URL", "http://127.0.0.1:4000")
token <- Sys.getenv("CENTRUM_TOKEN")
experiment <- Sys.getenv("CENTRUM_EXPERIMENT")
page_size <- as.integer(Sys.getenv("CENTRUM_PAGE_SIZE", "100"))
auth <- if (nzchar(token)) add_headers(Authorization = paste("Bearer", token)) else add_headers()

query <- '
query Page($id: ID!, $first: Int, $after: String, $where: PhotosynthesisMeasurementWhere) {
  experiment(id: $id) {
    photosynthesis(first: $first, after: $after, where: $where) {
      edges { node { rowId timestamp deviceId Phi2 Light_Intensity_PAR } }
      pageInfo { hasNextPage endCursor }
      exportUrl(format: CSV, columns: ["rowId", "timestamp", "deviceId", "Phi2", "Light_Intensity_PAR"])
    }
  }
}'

graphql <- function(variables) {
  body <- toJSON(list(query = query, variables = variables), auto_unbox = TRUE, null = "null")
  response <- POST(paste0(url, "/graphql"), auth, content_type_json(), body = body)
  stop_for_status(response)
  parsed <- fromJSON(content(response, as = "text", encoding = "UTF-8"), simplifyVector = FALSE)
  if (!is.null(parsed$errors)) stop(toJSON(parsed$errors, auto_unbox = TRUE))
  parsed$data
}

# 1. Page the connection into a data frame (cursors: `after` = the last page's `endCursor`).
nodes <- list()
after <- NULL
pages <- 0
repeat {
  variables <- list(id = experiment, first = page_size, where = list(Phi2 = list(gte = 0.2)))
  if (!is.null(after)) variables$after <- after
  connection <- graphql(variables)$experiment$photosynthesis
  nodes <- c(nodes, lapply(connection$edges, function(edge) edge$node))
  export_url <- connection$exportUrl
  pages <- pages + 1
  if (!isTRUE(connection$pageInfo$hasNextPage)) break
  after <- connection$pageInfo$endCursor
}
value <- function(x) if (is.null(x)) NA else x
paged <- data.frame(
  rowId = vapply(nodes, function(n) n$rowId, character(1)),
  Phi2 = vapply(nodes, function(n) as.numeric(value(n$Phi2)), numeric(1)),
  stringsAsFactors = FALSE
)

# 2. The same rows in one request: the export URL the connection returned, with the same token.
response <- GET(export_url, auth)
stop_for_status(response)
# Row ids are 64-bit: read them as text, never as doubles.
exported <- read.csv(
  text = content(response, as = "text", encoding = "UTF-8"),
  colClasses = c(rowId = "character", deviceId = "character"),
  stringsAsFactors = FALSE
)

cat(toJSON(list(
  pages = pages,
  rows = nrow(paged),
  rowIds = paged$rowId,
  exportRows = nrow(exported),
  exportRowIds = exported$rowId,
  meanPhi2 = mean(exported$Phi2, na.rm = TRUE),
  equal = identical(paged$rowId, exported$rowId) && isTRUE(all.equal(paged$Phi2, exported$Phi2))
), auto_unbox = TRUE, digits = NA), "\n")
